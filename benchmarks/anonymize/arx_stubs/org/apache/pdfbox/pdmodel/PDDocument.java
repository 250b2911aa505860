package org.apache.pdfbox.pdmodel; public class PDDocument {}
