/**
 * Differential-privacy accounting: what (epsilon, delta) a training run has spent, and how many steps or rounds fit a
 * budget. {@link org.fedmesh.node.privacy.PrivacyAccountant} is the entry point.
 *
 * <p>Record level (DP-SGD inside a member): Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar,
 * Zhang 2019), added over steps and converted to (epsilon, delta) at the best of a fixed set of orders. Member level
 * (Gaussian noise on each member's whole update, every round, no subsampling): exact composition through Gaussian
 * DP (Dong, Roth, Su 2022).
 *
 * <p>Every figure here is an upper bound: where a computation has to cut a series short or choose between two
 * roundings, it takes the side that reports more epsilon, never less.
 */
package org.fedmesh.node.privacy;
