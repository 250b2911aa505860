// ARX's optimum on Adult (8 quasi-identifiers, sensitive salary-class) for l-diversity and
// t-closeness variants; the reference values of tests/anonymize/test_models_vs_arx.py.
// Run: java -cp "$ARX_CLASSPATH" ArxModels ../shared/data/adult (build_arx.sh compiles it).
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.deidentifier.arx.ARXAnonymizer;
import org.deidentifier.arx.ARXConfiguration;
import org.deidentifier.arx.ARXLattice.ARXNode;
import org.deidentifier.arx.ARXResult;
import org.deidentifier.arx.AttributeType;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.criteria.*;
import org.deidentifier.arx.metric.Metric;

public class ArxModels {
    static final String[] QI = {"sex", "age", "race", "marital-status", "education",
                                "native-country", "workclass", "occupation"};

    static void run(String dir, String name, PrivacyCriterion model, double suppression) throws Exception {
        Data data = Data.create(dir + "/adult.csv", StandardCharsets.UTF_8, ';');
        for (String qi : QI) {
            data.getDefinition().setAttributeType(qi, Hierarchy.create(
                dir + "/adult_hierarchy_" + qi + ".csv", StandardCharsets.UTF_8, ';'));
        }
        data.getDefinition().setAttributeType("salary-class", AttributeType.SENSITIVE_ATTRIBUTE);
        ARXConfiguration config = ARXConfiguration.create();
        config.addPrivacyModel(new KAnonymity(5));
        config.addPrivacyModel(model);
        config.setSuppressionLimit(suppression);
        config.setQualityModel(Metric.createLossMetric());
        long t0 = System.nanoTime();
        ARXResult result = new ARXAnonymizer().anonymize(data, config);
        long ms = (System.nanoTime() - t0) / 1000000;
        int checked = 0;
        for (ARXNode[] level : result.getLattice().getLevels()) {
            for (ARXNode node : level) if (node.isChecked()) checked++;
        }
        ARXNode opt = result.getGlobalOptimum();
        if (opt == null) {
            System.out.println(name + " " + suppression + " infeasible " + checked + " checked " + ms + " ms");
            return;
        }
        int suppressed = 0;
        var out = result.getOutput();
        for (int r = 0; r < out.getNumRows(); r++) if (out.isOutlier(r)) suppressed++;
        System.out.println(name + " " + suppression + " " + Arrays.toString(opt.getTransformation())
            + " " + opt.getHighestScore() + " " + suppressed + " " + checked + " checked " + ms + " ms");
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        Hierarchy salary = Hierarchy.create(dir + "/adult_hierarchy_salary-class.csv", StandardCharsets.UTF_8, ';');
        for (double s : new double[] {0.0, 0.05}) {
            run(dir, "distinct-2", new DistinctLDiversity("salary-class", 2), s);
            run(dir, "entropy-1.5", new EntropyLDiversity("salary-class", 1.5), s);
            run(dir, "recursive-3-2", new RecursiveCLDiversity("salary-class", 3, 2), s);
            run(dir, "equal-0.15", new EqualDistanceTCloseness("salary-class", 0.15), s);
            run(dir, "ordered-0.15", new OrderedDistanceTCloseness("salary-class", 0.15), s);
            run(dir, "hierarchical-0.15", new HierarchicalDistanceTCloseness("salary-class", 0.15, salary), s);
        }
    }
}
