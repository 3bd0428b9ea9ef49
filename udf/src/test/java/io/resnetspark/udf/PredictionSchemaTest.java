package io.resnetspark.udf;

import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.errors.ErrorCode;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PredictionSchemaTest {
  @Test
  void theStructHasTheDocumentedFieldsInOrder() {
    assertArrayEquals(new String[] {"label", "index", "probability", "top_k", "embedding", "error_code",
        "error_message"}, PredictionSchema.TYPE.fieldNames());
    assertEquals("struct<label:string,index:int,probability:float,"
        + "top_k:array<struct<index:int,label:string,probability:float>>,embedding:array<float>,"
        + "error_code:string,error_message:string>", PredictionSchema.ddl());
  }

  @Test
  void theDdlForPySparkParsesBackToTheSameFieldsAndTypes() {
    DataType parsed = DataType.fromDDL(PredictionSchema.ddl());
    assertEquals(PredictionSchema.TYPE.simpleString(), parsed.simpleString());
    assertEquals(PredictionSchema.TYPE.fields().length, ((StructType) parsed).fields().length);
  }

  @Test
  void aPredictionRowCarriesTheBestClassItsTopKAndNoError() {
    Prediction p = new Prediction(List.of(new Entry(4, "fig", 0.7f), new Entry(1, "banana", 0.2f)),
        new float[] {1.5f, -2f}, null, null);
    Row row = p.toRow();
    assertEquals("fig", row.getString(0));
    assertEquals(4, row.getInt(1));
    assertEquals(0.7f, row.getFloat(2));
    assertNull(row.get(5));
    assertNull(row.get(6));
    Prediction back = Prediction.fromRow(row);
    assertEquals(p.topK(), back.topK());
    assertArrayEquals(p.embedding(), back.embedding());
  }

  @Test
  void aFailureRowHasOnlyTheErrorFields() {
    Row row = Prediction.failure(ErrorCode.TOO_LARGE, "40000x40000 is over the limit").toRow();
    for (int i = 0; i < 5; i++) {
      assertNull(row.get(i));
    }
    assertEquals("TOO_LARGE", row.getString(5));
    assertEquals("40000x40000 is over the limit", row.getString(6));
    assertEquals(ErrorCode.TOO_LARGE, Prediction.fromRow(row).errorCode());
  }
}
