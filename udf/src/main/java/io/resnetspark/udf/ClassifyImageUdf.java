package io.resnetspark.udf;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * {@code classify_image} as a class for PySpark, which can only name a Java function by class:
 *
 * <pre>
 * spark.conf.set("spark.resnet.modelPath", "s3a://models/resnet50")   # spark.resnet.topK optional, default 5
 * spark.udf.registerJavaFunction("classify_image", "io.resnetspark.udf.ClassifyImageUdf", PREDICTION_DDL)
 * </pre>
 *
 * where {@code PREDICTION_DDL} is {@link PredictionSchema#ddl()}. The model is read and broadcast when the class
 * is instantiated, i.e. at registration on the driver. Java and Scala callers use {@link ResNetFunctions#register}.
 */
public final class ClassifyImageUdf implements UDF1<Object, Row> {
  private static final long serialVersionUID = 1L;
  private final ModelUdf function;

  public ClassifyImageUdf() {
    function = ModelUdf.fromConf(SparkSession.active(), false);
  }

  @Override
  public Row call(Object image) throws Exception {
    return function.call(image);
  }
}
