package io.resnetspark.udf.batch;

import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.errors.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPredictorTest {
  private final FakeModel model = new FakeModel();

  @Test
  void listsTheTopClassesMostProbableFirstWithTheirLabels() {
    Prediction[] out = new BatchPredictor(model, 3, false).predict(FakeModel.batch(
        FakeModel.image(0.1f, 0.6f, 0.05f, 0.25f), FakeModel.image(0.7f, 0.1f, 0.1f, 0.1f)), 2);

    assertEquals(List.of(new Entry(1, "one", 0.6f), new Entry(3, "three", 0.25f), new Entry(0, "zero", 0.1f)),
        out[0].topK());
    assertEquals(new Entry(0, "zero", 0.7f), out[1].best());
    assertNull(out[0].embedding());
    assertEquals(List.of(2), model.batchSizes, "one model run for the whole batch");
  }

  @Test
  void equalProbabilitiesKeepClassOrderAndKBeyondTheClassCountListsAll() {
    float[] probabilities = {9f, 0.25f, 0.5f, 0.25f, 0f};
    assertEquals(List.of(new Entry(1, "one", 0.5f), new Entry(0, "zero", 0.25f), new Entry(2, "two", 0.25f),
        new Entry(3, "three", 0f)), BatchPredictor.topK(probabilities, 1, 4, 10, model.labels()));
  }

  @Test
  void aBatchFailureIsRetriedImageByImageAndOnlyTheCulpritGetsModelError() {
    Prediction[] out = new BatchPredictor(model, 1, false).predict(FakeModel.batch(
        FakeModel.image(0.9f, 0.1f), FakeModel.image(Float.NaN), FakeModel.image(0.2f, 0.8f)), 3);

    assertEquals(0, out[0].best().index());
    assertEquals(ErrorCode.MODEL_ERROR, out[1].errorCode());
    assertTrue(out[1].errorMessage().contains("NaN poisons the batch"), out[1].errorMessage());
    assertEquals(1, out[2].best().index());
    assertEquals(List.of(3, 1, 1, 1), model.batchSizes);
  }

  @Test
  void embeddingsAreSplitPerImage() {
    Prediction[] out = new BatchPredictor(model, 2, true).predict(FakeModel.batch(
        FakeModel.image(0.5f, 0.5f), FakeModel.image(0.25f, 0.75f)), 2);
    assertArrayEquals(new float[] {5f, -1f}, out[0].embedding());
    assertArrayEquals(new float[] {2.5f, -1f}, out[1].embedding());
  }

  @Test
  void anEmptyBatchRunsNothingAndTopKMustBePositive() {
    assertEquals(0, new BatchPredictor(model, 1, false).predict(FakeModel.batch(), 0).length);
    assertEquals(0, model.runs.get());
    assertThrows(IllegalArgumentException.class, () -> new BatchPredictor(model, 0, false));
  }
}
