package io.resnetspark.udf;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * {@code image_embedding} as a class for PySpark's {@code spark.udf.registerJavaFunction}; configured like
 * {@link ClassifyImageUdf}. Returns the same struct with {@code embedding} filled.
 */
public final class ImageEmbeddingUdf implements UDF1<Object, Row> {
  private static final long serialVersionUID = 1L;
  private final ModelUdf function;

  public ImageEmbeddingUdf() {
    function = ModelUdf.fromConf(SparkSession.active(), true);
  }

  @Override
  public Row call(Object image) throws Exception {
    return function.call(image);
  }
}
