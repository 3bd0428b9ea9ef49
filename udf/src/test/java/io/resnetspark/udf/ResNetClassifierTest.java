package io.resnetspark.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResNetClassifierTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start("ResNetClassifierTest");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Dataset<Row> binaryImages(List<byte[]> contents, int partitions) {
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("content", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < contents.size(); i++) {
      rows.add(RowFactory.create(i, contents.get(i)));
    }
    return spark.createDataFrame(rows, schema).repartition(partitions).sortWithinPartitions("id");
  }

  private static List<Row> sortedById(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparingInt(r -> r.getInt(0)));
    return sorted;
  }

  @Test
  void mixedCorpusGivesOneRowPerInputWithErrorCodesForBadImages() {
    List<byte[]> contents = new ArrayList<>();
    List<ErrorCode> expected = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      contents.add(TestImages.png(i, 40 + i, 30 + 2 * i));
      expected.add(null);
      switch (i % 6) {
        case 1 -> { contents.add(null); expected.add(ErrorCode.EMPTY); }
        case 2 -> { contents.add(new byte[0]); expected.add(ErrorCode.EMPTY); }
        case 3 -> { contents.add(TestImages.text()); expected.add(ErrorCode.UNSUPPORTED_FORMAT); }
        case 4 -> { contents.add(TestImages.truncatedPng(i)); expected.add(ErrorCode.CORRUPT); }
        case 5 -> { contents.add(TestImages.randomBytes(i, 500)); expected.add(ErrorCode.UNSUPPORTED_FORMAT); }
        default -> { }
      }
    }
    ResNetClassifier classifier = new ResNetClassifier().setModelPath(TestModels.resnet18(1).toString())
        .setBatchSize(4).setTopK(3).withDecoders(StandInDecoder.FACTORY);

    List<Row> out = sortedById(classifier.transform(binaryImages(contents, 8)).collectAsList());

    assertEquals(contents.size(), out.size());
    for (int i = 0; i < out.size(); i++) {
      Row row = out.get(i);
      assertEquals(i, row.getInt(0));
      Prediction p = Prediction.fromRow(row.getStruct(2));
      assertEquals(expected.get(i), p.errorCode(), "row " + i + ": " + p.errorMessage());
      if (expected.get(i) == null) {
        assertEquals(3, p.topK().size());
        for (int k = 1; k < p.topK().size(); k++) {
          assertTrue(p.topK().get(k - 1).probability() >= p.topK().get(k).probability());
        }
        for (Entry e : p.topK()) {
          assertEquals(TestModels.LABELS.get(e.index()), e.label());
        }
        Row struct = row.getStruct(2);
        assertEquals(p.best().label(), struct.getString(0));
        assertEquals(p.best().index(), struct.getInt(1));
        assertNull(p.embedding());
      } else {
        assertNotNull(p.errorMessage());
      }
    }
  }
}
