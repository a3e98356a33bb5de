package org.fedmesh.node.model;

import java.util.Objects;

/**
 * How a member trains locally in each round.
 *
 * @param localEpochs passes over the local data per round
 * @param batchSize   rows per minibatch (the last batch of an epoch may be smaller)
 * @param optimizer   local optimizer; its state restarts every round
 * @param proximalMu  FedProx weight: adds {@code mu/2 * |w - w_global|^2} to the local objective,
 *                    which keeps members with skewed data near the global model; 0 turns it off
 * @param seed        base seed of this member's shuffles (each epoch's order is derived from it,
 *                    the round and the epoch)
 * @param augmentation how each epoch alters the member's rows before training on them (images only)
 */
public record TrainingConfig(int localEpochs, int batchSize, OptimizerSpec optimizer, double proximalMu, long seed,
                             Augmentation augmentation) {

  /** How an epoch's rows are altered; the held-out rows never are. */
  public enum Augmentation {
    NONE,
    /** Each image mirrored left to right with probability 1/2, drawn afresh every epoch. */
    HFLIP;

    /** {@code none} or {@code hflip}. */
    public static Augmentation parse(String text) {
      return switch (text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "none" -> NONE;
        case "hflip" -> HFLIP;
        default -> throw new IllegalArgumentException("unknown augmentation '" + text + "': expected none or hflip");
      };
    }

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Without augmentation. */
  public TrainingConfig(int localEpochs, int batchSize, OptimizerSpec optimizer, double proximalMu, long seed) {
    this(localEpochs, batchSize, optimizer, proximalMu, seed, Augmentation.NONE);
  }

  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(augmentation, "augmentation");
    if (localEpochs < 1) {
      throw new IllegalArgumentException("localEpochs must be >= 1, got " + localEpochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (!(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
      throw new IllegalArgumentException("proximalMu must be finite and >= 0, got " + proximalMu);
    }
  }

  /** Without the FedProx term. */
  public static TrainingConfig of(int localEpochs, int batchSize, OptimizerSpec optimizer, long seed) {
    return new TrainingConfig(localEpochs, batchSize, optimizer, 0, seed);
  }

  public TrainingConfig withSeed(long newSeed) {
    return new TrainingConfig(localEpochs, batchSize, optimizer, proximalMu, newSeed, augmentation);
  }
}
