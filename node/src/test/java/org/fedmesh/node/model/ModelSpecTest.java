package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ModelSpecTest {

  @Test
  void parse_validSpecs_roundTripThroughToString() {
    for (String spec : List.of("logistic", "softmax", "linear", "mlp:128", "mlp:256,128", "mlp:5,4,3")) {
      ModelSpec parsed = ModelSpec.parse(spec);
      assertEquals(spec, parsed.toString());
      assertEquals(parsed, ModelSpec.parse(parsed.toString()));
    }
    assertEquals(ModelSpec.mlp(256, 128), ModelSpec.parse(" MLP:256, 128 "));
    assertEquals(List.of(256, 128), ModelSpec.parse("mlp:256,128").hiddenLayers());
  }

  @TestFactory
  Stream<DynamicTest> parse_badSpec_isRefusedNamingIt() {
    return Stream.of("", "cnn", "mlp", "mlp:", "mlp:0", "mlp:-5", "mlp:12,", "mlp:a,b", "mlp:1.5",
            "mlp:99999999", "logistic:3")
        .map(spec -> DynamicTest.dynamicTest("'" + spec + "'", () -> {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(spec));
          assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        }));
  }

  @Test
  void build_countsWeightsAndBiasesOfEveryLayer() {
    // (3 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 2
    assertEquals(54, ModelSpec.mlp(5, 4).build(3, 2).parameterCount());
    assertEquals(31, ModelSpec.logistic().build(30, 2).parameterCount());
    assertEquals(31, ModelSpec.linear().build(30, 0).parameterCount());
    assertEquals(650, ModelSpec.softmax().build(64, 10).parameterCount());
    assertEquals(101_770, ModelSpec.mlp(128).build(784, 10).parameterCount());
    assertEquals(10, ModelSpec.mlp(128).build(784, 10).outputs());
    assertEquals(1, ModelSpec.logistic().build(30, 2).outputs());
  }

  @Test
  void build_taskMismatch_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.logistic().build(4, 3));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.logistic().build(4, 0));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.linear().build(4, 2));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.softmax().build(4, 0));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.mlp(8).build(4, 0));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.softmax().build(0, 3));
  }

  @Test
  void initialParameters_areSeededWithZeroBiasesWithinTheInitLimits() {
    Model model = ModelSpec.mlp(6).build(4, 3);

    float[] a = model.initialParameters(1);
    float[] b = model.initialParameters(1);
    float[] c = model.initialParameters(2);

    assertArrayEquals(a, b);
    assertFalse(java.util.Arrays.equals(a, c));
    // Layer 0: 4 x 6 weights (He: |w| <= sqrt(6/4)), then 6 zero biases.
    double he = Math.sqrt(6.0 / 4);
    for (int i = 0; i < 24; i++) {
      assertTrue(Math.abs(a[i]) <= he && a[i] != 0, "weight " + a[i]);
    }
    for (int i = 24; i < 30; i++) {
      assertEquals(0f, a[i]);
    }
    // Layer 1: 6 x 3 weights (Glorot: |w| <= sqrt(6/9)), then 3 zero biases.
    double glorot = Math.sqrt(6.0 / 9);
    for (int i = 30; i < 48; i++) {
      assertTrue(Math.abs(a[i]) <= glorot, "weight " + a[i]);
    }
    for (int i = 48; i < 51; i++) {
      assertEquals(0f, a[i]);
    }
    assertEquals(51, a.length);
  }

  @Test
  void optimizerParse_validSpecs_roundTripThroughToString() {
    for (String spec : List.of("sgd:0.1", "sgd:0.05,0.9", "adam:0.001", "adam:0.01,0.8,0.99,1E-7",
        "adamw:0.001,0.05")) {
      OptimizerSpec parsed = OptimizerSpec.parse(spec);
      assertEquals(spec, parsed.toString());
      assertEquals(parsed, OptimizerSpec.parse(parsed.toString()));
    }
    assertEquals(OptimizerSpec.adam(0.001), OptimizerSpec.parse("adam:1e-3"));
    assertEquals(new OptimizerSpec.Sgd(0.1, 0.9), OptimizerSpec.parse(" SGD:0.1, 0.9"));
  }

  @TestFactory
  Stream<DynamicTest> optimizerParse_badSpec_isRefusedNamingIt() {
    return Stream.of("", "rmsprop:0.1", "sgd", "sgd:", "sgd:0", "sgd:-1", "sgd:abc", "sgd:0.1,1", "sgd:0.1,0.9,3",
            "adam:0.001,0.9", "adam:0.001,1,0.999,1e-8", "adam:0.001,0.9,0.999,0", "adam:NaN",
            "adamw:0.001", "adamw:0.001,-0.1", "adamw:0.1,10", "adamw:0.001,0.05,0.9")
        .map(spec -> DynamicTest.dynamicTest("'" + spec + "'", () -> {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> OptimizerSpec.parse(spec));
          assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        }));
  }

  @Test
  void trainingConfig_invalidValues_areRefused() {
    OptimizerSpec sgd = OptimizerSpec.sgd(0.1);
    assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(0, 32, sgd, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 0, sgd, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 32, sgd, -0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 32, sgd, Double.NaN, 1));
    assertThrows(NullPointerException.class, () -> new TrainingConfig(1, 32, null, 0, 1));
  }
}
