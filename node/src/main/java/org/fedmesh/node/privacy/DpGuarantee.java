package org.fedmesh.node.privacy;

/**
 * An (ε, δ)-differential-privacy guarantee as an accountant computed it.
 *
 * @param epsilon the privacy loss bound; an upper bound, never rounded down
 * @param delta the probability with which the bound may fail, as asked for
 * @param order the Rényi order at which the smallest ε was reached, kept so a report can show whether the search
 *              hit the edge of the orders tried; NaN when no order was involved (exact composition, or nothing
 *              released yet)
 * @param method how ε was obtained: an {@link RdpConversion#label()} for record-level accounting, or
 *               {@link PrivacyAccountant#EXACT_GAUSSIAN} for member-level
 */
public record DpGuarantee(double epsilon, double delta, double order, String method) {}
