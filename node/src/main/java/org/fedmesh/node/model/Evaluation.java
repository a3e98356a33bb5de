package org.fedmesh.node.model;

/**
 * Quality of parameters on a data set.
 *
 * @param loss             mean loss per row (cross-entropy, or squared error for regression)
 * @param accuracy         share of rows classified correctly; NaN for regression
 * @param meanSquaredError mean of (prediction - target)^2 for regression; NaN for classification
 */
public record Evaluation(double loss, double accuracy, double meanSquaredError) {
}
