package org.fedmesh.node.round;

import java.util.Locale;

/**
 * Why an attempt was abandoned, sorted into a few kinds so that a metric can be labelled with it: the coordinator's
 * AbortAttempt carries free text, which names members and hashes. The kinds follow the reasons {@link AttemptRun}
 * gives; text from a coordinator of another build that fits none is {@link #OTHER}.
 */
public enum AbortReason {
  /** Some members missed the round's deadline. */
  DEADLINE,
  /** The sum did not decode: somebody summed garbage. */
  UNDECODABLE_SUM,
  /** The members computed different models. */
  MODELS_DIFFER,
  /** A member's signed result did not verify. */
  UNUSABLE_SIGNATURE,
  /** A member reported a failure (training, key check, ring, encoding, or it refused the round). */
  MEMBER_FAILED,
  /** Not the coordinator's words: a new attempt began before this one ended (deadline, lost member, failover). */
  SUPERSEDED,
  OTHER;

  /** The kind of a coordinator's AbortAttempt reason. */
  public static AbortReason of(String reason) {
    if (reason == null) {
      return OTHER;
    } else if (reason.equals("missed the deadline")) {
      return DEADLINE;
    } else if (reason.equals("the sum did not decode")) {
      return UNDECODABLE_SUM;
    } else if (reason.startsWith("participants computed different models")) {
      return MODELS_DIFFER;
    } else if (reason.startsWith("the signed result of ")) {
      return UNUSABLE_SIGNATURE;
    } else if (reason.contains(" failed: ")) {
      return MEMBER_FAILED;
    }
    return OTHER;
  }

  /** The label value, as Prometheus users write them. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
