// Runs ARX (compiled from source, see run_arx.sh) on Adult with 8 quasi-identifiers and
// k=5 at 0 % and 5 % suppression; prints one JSON line per case (warm timings).
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.deidentifier.arx.ARXAnonymizer;
import org.deidentifier.arx.ARXConfiguration;
import org.deidentifier.arx.ARXLattice.ARXNode;
import org.deidentifier.arx.ARXResult;
import org.deidentifier.arx.AttributeType;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.metric.Metric;

public class ArxAdult {
    static final String[] QI = {"sex", "age", "race", "marital-status", "education",
                                "native-country", "workclass", "occupation"};

    static Data load(String dir) throws Exception {
        Data data = Data.create(dir + "/adult.csv", StandardCharsets.UTF_8, ';');
        for (String qi : QI) {
            data.getDefinition().setAttributeType(qi, Hierarchy.create(
                dir + "/adult_hierarchy_" + qi + ".csv", StandardCharsets.UTF_8, ';'));
        }
        data.getDefinition().setAttributeType("salary-class", AttributeType.INSENSITIVE_ATTRIBUTE);
        return data;
    }

    static ARXResult run(Data data, double suppression) throws Exception {
        ARXConfiguration config = ARXConfiguration.create();
        config.addPrivacyModel(new KAnonymity(5));
        config.setSuppressionLimit(suppression);
        config.setQualityModel(Metric.createLossMetric());
        return new ARXAnonymizer().anonymize(data, config);
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        int repeats = Integer.parseInt(args[1]);
        for (double suppression : new double[] {0.0, 0.05}) {
            for (int i = 0; i < 3; i++) run(load(dir), suppression);  // warm-up
            long[] times = new long[repeats];
            ARXResult result = null;
            for (int i = 0; i < repeats; i++) {
                Data data = load(dir);  // reading the CSV file is not timed
                long t0 = System.nanoTime();
                result = run(data, suppression);
                times[i] = System.nanoTime() - t0;
            }
            Arrays.sort(times);
            ARXNode opt = result.getGlobalOptimum();
            int checked = 0;
            int total = 0;
            for (ARXNode[] level : result.getLattice().getLevels()) {
                for (ARXNode node : level) {
                    total++;
                    if (node.isChecked()) checked++;
                }
            }
            int suppressed = 0;
            var out = result.getOutput();
            for (int r = 0; r < out.getNumRows(); r++) if (out.isOutlier(r)) suppressed++;
            System.out.println("{\"suppression\": " + suppression
                + ", \"levels\": " + Arrays.toString(opt.getTransformation())
                + ", \"loss\": " + opt.getHighestScore().toString()
                + ", \"suppressed\": " + suppressed
                + ", \"checked\": " + checked + ", \"total\": " + total
                + ", \"median_ms\": " + times[repeats / 2] / 1e6
                + ", \"min_ms\": " + times[0] / 1e6
                + ", \"algorithm_ms\": " + result.getTime() + "}");
        }
    }
}
