package io.resnetspark.udf;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.testing.HostileModels;
import io.resnetspark.udf.testing.TestImages;
import io.resnetspark.udf.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationAllowListTest {
  @TempDir
  Path tmp;

  @Test
  void acceptsAModelAsTheBuilderWritesIt() {
    assertDoesNotThrow(() -> OperationAllowList.check(TestModels.resnet18(1), "builder"));
  }

  @Test
  void theListCoversEveryOperationOfABuiltModel() throws IOException {
    assertTrue(OperationAllowList.ALLOWED.containsAll(SavedResNet.declaredOperations(TestModels.resnet18(1))
        .keySet()));
  }

  @Test
  void refusesAModelThatReadsAFileNamingTheOperationAndTheNode() throws IOException {
    Path hostile = HostileModels.readingAFile(tmp.resolve("hostile"));
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(hostile, "s3a://lake/hostile"));
    assertTrue(e.getMessage().startsWith("model from s3a://lake/hostile refused: it uses operations outside the "
        + "resnet-spark allow-list: ReadFile (node 'steal')"), e.getMessage());
  }

  @Test
  void refusesADirectoryWithASecondGraphFileThatTensorFlowMightLoadInstead() throws IOException {
    Path model = tmp.resolve("model");
    Files.createDirectories(model);
    Files.copy(TestModels.resnet18(1).resolve("saved_model.pb"), model.resolve("saved_model.pb"));
    Files.writeString(model.resolve("saved_model.pbtxt"), "meta_graphs {}");
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(model, "m"));
    assertTrue(e.getMessage().contains("saved_model.pbtxt"), e.getMessage());
  }

  @Test
  void refusesWhatCannotBeParsed() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("garbage"));
    Files.write(model.resolve("saved_model.pb"), TestImages.randomBytes(9, 300));
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(model, "m"));
    assertTrue(e.getMessage().contains("cannot be read for checking"), e.getMessage());
  }
}
