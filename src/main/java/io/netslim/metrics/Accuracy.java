package io.netslim.metrics;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Test-set classification accuracy of a network (a fraction in 0..1). */
public final class Accuracy {
    private Accuracy() {
    }

    public static double of(ComputationGraph graph, DataSetIterator test) {
        test.reset();
        Evaluation eval = graph.evaluate(test);
        return eval.accuracy();
    }
}
