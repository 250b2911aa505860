// Prints ARX's risk estimates for the untransformed Adult data (8 quasi-identifiers, population
// model China); the reference values of tests/anonymize/test_risk.py::test_adult_matches_arx.
// Run: java -cp "$ARX_CLASSPATH" ArxRisk ../shared/data/adult (build_arx.sh compiles it).
import java.nio.charset.StandardCharsets;
import org.deidentifier.arx.*;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.ARXPopulationModel.Region;
import org.deidentifier.arx.risk.*;
public class ArxRisk {
  public static void main(String[] a) throws Exception {
    String dir = a[0];
    String[] QI = {"sex","age","race","marital-status","education","native-country","workclass","occupation"};
    Data data = Data.create(dir + "/adult.csv", StandardCharsets.UTF_8, ';');
    for (String q : QI) data.getDefinition().setAttributeType(q, Hierarchy.create(dir + "/adult_hierarchy_" + q + ".csv", StandardCharsets.UTF_8, ';'));
    data.getDefinition().setAttributeType("salary-class", AttributeType.INSENSITIVE_ATTRIBUTE);
    RiskEstimateBuilder b = data.getHandle().getRiskEstimator(ARXPopulationModel.create(Region.CHINA));
    RiskModelSampleRisks s = b.getSampleBasedReidentificationRisk();
    RiskModelPopulationUniqueness p = b.getPopulationBasedUniquenessRisk();
    RiskModelSampleSummary sum = b.getSampleBasedRiskSummary(0.2);
    System.out.println("highest " + s.getHighestRisk() + " average " + s.getAverageRisk());
    System.out.println("sample uniques " + b.getSampleBasedUniquenessRisk().getFractionOfUniqueRecords());
    System.out.println("zayatz " + p.getFractionOfUniqueTuplesZayatz() + " pitman " + p.getFractionOfUniqueTuplesPitman() + " snb " + p.getFractionOfUniqueTuplesSNB() + " dankar " + p.getFractionOfUniqueTuplesDankar());
    System.out.println("prosecutor atrisk " + sum.getProsecutorRisk().getRecordsAtRisk() + " highest " + sum.getProsecutorRisk().getHighestRisk() + " avg " + sum.getProsecutorRisk().getSuccessRate());
    System.out.println("journalist atrisk " + sum.getJournalistRisk().getRecordsAtRisk() + " highest " + sum.getJournalistRisk().getHighestRisk() + " avg " + sum.getJournalistRisk().getSuccessRate());
    System.out.println("marketer " + sum.getMarketerRisk().getSuccessRate());
  }
}
