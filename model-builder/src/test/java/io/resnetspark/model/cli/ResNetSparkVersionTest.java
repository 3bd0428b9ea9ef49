package io.resnetspark.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.resnetspark.model.BuildInfo;
import org.junit.jupiter.api.Test;

class ResNetSparkVersionTest {
  @Test
  void versionNamesTheCommandAndTheBuildsVersion() {
    ModelBuilderCliTest.Run r = ModelBuilderCliTest.run("--version");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("resnet-spark model-builder " + BuildInfo.VERSION, r.out().strip());
  }
}
