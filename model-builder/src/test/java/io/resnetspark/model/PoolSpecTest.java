package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PoolSpecTest {
  @Test
  void theStemsMaxPoolHalvesRoundingUp() {
    assertEquals(56, Architecture.STEM_POOL.outputSize(112));
    assertEquals(49, Architecture.STEM_POOL.outputSize(97));
    assertEquals(1, Architecture.STEM_POOL.outputSize(1));
  }
}
