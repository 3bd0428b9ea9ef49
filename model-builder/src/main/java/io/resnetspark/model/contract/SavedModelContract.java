package io.resnetspark.model.contract;

/**
 * The names a resnet-spark SavedModel promises to its users (see README, "SavedModel contract"): its tag, its two
 * signatures and their tensors, the smallest input it takes and the version of {@code model.json}. Changing any of
 * them breaks every SavedModel already written, so they live in one place; the files are in
 * {@link SavedModelLayout}, the operations a graph may use in {@link OperationAllowList}.
 */
public final class SavedModelContract {
  public static final String TAG = "serve";
  public static final String CLASSIFY_SIGNATURE = "serving_default";
  public static final String FEATURES_SIGNATURE = "features";
  public static final String INPUT = "images";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  public static final String EMBEDDINGS = "embeddings";
  /** Smallest input side for which every stage still has at least one pixel. */
  public static final int MIN_INPUT_SIZE = 32;
  public static final int FORMAT_VERSION = 1;

  private SavedModelContract() {
  }
}
