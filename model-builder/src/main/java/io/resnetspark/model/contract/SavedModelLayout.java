package io.resnetspark.model.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The files of a resnet-spark SavedModel directory, and the one decision of whether a directory has them. The
 * decision asks a {@link FileProbe} about each path, so the builder (local disk), the driver (any Hadoop file
 * system) and the executors (an unpacked copy) all make it the same way and say the same thing when it fails.
 * Reasons are written as the end of a sentence whose subject is the model ("model s3a://m " + reason).
 */
public final class SavedModelLayout {
  /** The graph TensorFlow loads. */
  public static final String GRAPH_FILE = "saved_model.pb";
  /** Graph files TensorFlow's loader would read instead of {@link #GRAPH_FILE}; a resnet-spark model has none. */
  public static final List<String> OTHER_GRAPH_FILES = List.of("saved_model.pbtxt", "saved_model.cpb");
  public static final String ASSETS_DIR = "assets";
  public static final String METADATA_FILE = "model.json";
  public static final String LABELS_FILE = "labels.txt";
  /** {@code assets/model.json}, relative to the model directory. */
  public static final String METADATA_PATH = ASSETS_DIR + "/" + METADATA_FILE;
  /** {@code assets/labels.txt}, relative to the model directory. */
  public static final String LABELS_PATH = ASSETS_DIR + "/" + LABELS_FILE;
  /** Why a path naming a file is not a model. */
  public static final String NOT_A_DIRECTORY =
      "is a file; give the SavedModel directory, the one that holds " + GRAPH_FILE;

  private SavedModelLayout() {
  }

  /** Whether a path relative to the model directory names a file, on whichever file system holds the model. */
  @FunctionalInterface
  public interface FileProbe {
    boolean exists(String relativePath) throws IOException;
  }

  /** How much of the layout a reader needs. */
  public enum Requirement {
    /** The graph: what TensorFlow loads, and all that is packed and sent to the executors. */
    GRAPH(List.of(GRAPH_FILE)),
    /** The graph and the assets that describe it: what the driver of a labelling run reads. */
    DESCRIBED(List.of(GRAPH_FILE, METADATA_PATH, LABELS_PATH));

    private final List<String> files;

    Requirement(List<String> files) {
      this.files = files;
    }
  }

  /** The first file {@code requirement} needs that {@code files} lacks, as a reason; empty when none is missing. */
  public static Optional<String> missing(Requirement requirement, FileProbe files) throws IOException {
    for (String path : requirement.files) {
      if (!files.exists(path)) {
        return Optional.of(path.equals(GRAPH_FILE)
            ? "is not a SavedModel directory: it has no " + GRAPH_FILE
            : "has no " + path + ": build it with scripts/model-builder");
      }
    }
    return Optional.empty();
  }

  /**
   * A graph file TensorFlow might load in place of {@link #GRAPH_FILE}, as a reason; empty when there is none. A
   * model whose graph is judged before loading must not hold a second one that the loader could prefer.
   */
  public static Optional<String> otherGraphFile(FileProbe files) throws IOException {
    for (String other : OTHER_GRAPH_FILES) {
      if (files.exists(other)) {
        return Optional.of("contains " + other + "; a resnet-spark model has exactly one graph file, " + GRAPH_FILE);
      }
    }
    return Optional.empty();
  }

  /** Asks the local file system about the files under {@code dir}. */
  public static FileProbe local(Path dir) {
    return path -> Files.exists(dir.resolve(path));
  }

  public static Path graphFile(Path dir) {
    return dir.resolve(GRAPH_FILE);
  }

  public static Path metadataFile(Path dir) {
    return dir.resolve(ASSETS_DIR).resolve(METADATA_FILE);
  }

  public static Path labelsFile(Path dir) {
    return dir.resolve(ASSETS_DIR).resolve(LABELS_FILE);
  }
}
