"""The framework's ceiling: a bare FastAPI endpoint with the same request body as
/v1/decisions (async, like the service's route), no auth, no database, served by uvicorn
exactly like the service (one worker, no access log)."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class DecisionIn(BaseModel):
    subject: str = Field(min_length=1, max_length=256)
    notice: str
    purpose: str
    categories: list[str] = Field(min_length=1, max_length=100)


@app.post("/v1/decisions")
async def decide(body: DecisionIn) -> dict[str, object]:
    return {
        "allow": True,
        "reason": "consented",
        "subject": body.subject,
        "categories": body.categories,
    }
