package org.fedmesh.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoTimeToAccuracyTest {

  @Test
  void secondsToTarget_isTheFirstRoundAtOrAboveIt_evenIfAccuracyDropsLater() {
    List<Double> accuracy = List.of(0.80, 0.869, 0.87, 0.86, 0.90);
    List<Double> seconds = List.of(10.0, 20.0, 30.0, 40.0, 50.0);
    assertEquals(30.0, DemoCommand.secondsToTarget(accuracy, seconds, 0.87));
    assertEquals(50.0, DemoCommand.secondsToTarget(accuracy, seconds, 0.9));
    assertNull(DemoCommand.secondsToTarget(accuracy, seconds, 0.95), "never reached");
  }
}
