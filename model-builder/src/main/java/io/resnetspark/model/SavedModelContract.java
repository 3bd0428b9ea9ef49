package io.resnetspark.model;

/**
 * The names a resnet-spark SavedModel promises to its users (see README, "SavedModel contract"). Changing any of
 * them breaks every SavedModel already written, so they live in one place.
 */
public final class SavedModelContract {
  public static final String TAG = "serve";
  public static final String CLASSIFY_SIGNATURE = "serving_default";
  public static final String FEATURES_SIGNATURE = "features";
  public static final String INPUT = "images";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  public static final String EMBEDDINGS = "embeddings";
  public static final String ASSETS_DIR = "assets";
  public static final String METADATA_FILE = "model.json";
  public static final String LABELS_FILE = "labels.txt";
  /** Smallest input side for which every stage still has at least one pixel. */
  public static final int MIN_INPUT_SIZE = 32;
  public static final int FORMAT_VERSION = 1;

  private SavedModelContract() {
  }
}
