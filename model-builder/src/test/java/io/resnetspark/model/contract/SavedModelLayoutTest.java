package io.resnetspark.model.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.contract.SavedModelLayout.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One decision of what a model directory must hold, made the same way whatever file system answers. */
class SavedModelLayoutTest {
  @TempDir
  Path dir;

  @Test
  void aDirectoryWithoutTheGraphIsNotASavedModelWhateverElseItHolds() throws IOException {
    SavedModelLayout.FileProbe assetsOnly = Set.of("assets/model.json", "assets/labels.txt")::contains;
    assertEquals(Optional.of("is not a SavedModel directory: it has no saved_model.pb"),
        SavedModelLayout.missing(Requirement.GRAPH, assetsOnly));
    assertEquals(Optional.of("is not a SavedModel directory: it has no saved_model.pb"),
        SavedModelLayout.missing(Requirement.DESCRIBED, assetsOnly));
  }

  @Test
  void theGraphAloneIsEnoughToPackButNotToDescribeAModel() throws IOException {
    SavedModelLayout.FileProbe graphOnly = Set.of("saved_model.pb")::contains;
    assertEquals(Optional.empty(), SavedModelLayout.missing(Requirement.GRAPH, graphOnly));
    assertEquals(Optional.of("has no assets/model.json: build it with scripts/model-builder"),
        SavedModelLayout.missing(Requirement.DESCRIBED, graphOnly));
    SavedModelLayout.FileProbe noLabels = Set.of("saved_model.pb", "assets/model.json")::contains;
    assertEquals(Optional.of("has no assets/labels.txt: build it with scripts/model-builder"),
        SavedModelLayout.missing(Requirement.DESCRIBED, noLabels));
  }

  @Test
  void aSecondGraphFileIsNamed() throws IOException {
    assertEquals(Optional.empty(), SavedModelLayout.otherGraphFile(Set.of("saved_model.pb")::contains));
    assertEquals(Optional.of("contains saved_model.cpb; a resnet-spark model has exactly one graph file, "
        + "saved_model.pb"), SavedModelLayout.otherGraphFile(Set.of("saved_model.pb", "saved_model.cpb")::contains));
  }

  @Test
  void theLocalProbeAndPathsFollowTheLayout() throws IOException {
    Files.createDirectories(dir.resolve("assets"));
    Files.writeString(dir.resolve("saved_model.pb"), "");
    Files.writeString(dir.resolve("assets/model.json"), "{}");
    Files.writeString(dir.resolve("assets/labels.txt"), "cat\n");
    assertEquals(Optional.empty(), SavedModelLayout.missing(Requirement.DESCRIBED, SavedModelLayout.local(dir)));
    assertEquals(dir.resolve("saved_model.pb"), SavedModelLayout.graphFile(dir));
    assertEquals(dir.resolve("assets/model.json"), SavedModelLayout.metadataFile(dir));
    assertEquals(dir.resolve("assets/labels.txt"), SavedModelLayout.labelsFile(dir));
    assertTrue(SavedModelLayout.NOT_A_DIRECTORY.startsWith("is a file; give the SavedModel directory"));
  }
}
