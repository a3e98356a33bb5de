/**
 * Local training: model specs ({@code logistic}, {@code softmax}, {@code linear}, {@code mlp:...}),
 * hand-written forward and backward passes on ND4J over one flat parameter vector, Java-side
 * optimizers (SGD, Adam) with the FedProx term, evaluation, and the benchmark against SameDiff that
 * justifies the hand-written gradients. Pure local code, no actors; one trainer per thread.
 */
package org.fedmesh.node.model;
