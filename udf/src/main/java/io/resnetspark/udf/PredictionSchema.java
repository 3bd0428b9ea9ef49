package io.resnetspark.udf;

import io.resnetspark.udf.errors.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.ArraySeq$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one definition of the per-row prediction struct, shared by the Transformer and the SQL functions:
 *
 * <pre>
 * struct&lt;label: string, index: int, probability: float,
 *        top_k: array&lt;struct&lt;index: int, label: string, probability: float&gt;&gt;,
 *        embedding: array&lt;float&gt;, error_code: string, error_message: string&gt;
 * </pre>
 *
 * A good image has {@code error_code} and {@code error_message} null, {@code top_k} sorted by probability,
 * descending, and {@code label/index/probability} equal to its first entry. A bad one has only the two error
 * fields set, with a code from {@link ErrorCode}; a null input value counts as an empty image ({@code EMPTY}).
 * {@code embedding} is null unless embeddings were asked for.
 */
public final class PredictionSchema {
  public static final String LABEL = "label";
  public static final String INDEX = "index";
  public static final String PROBABILITY = "probability";
  public static final String TOP_K = "top_k";
  public static final String EMBEDDING = "embedding";
  public static final String ERROR_CODE = "error_code";
  public static final String ERROR_MESSAGE = "error_message";

  /** One entry of {@code top_k}. */
  public static final StructType TOP_K_ENTRY = new StructType(new StructField[] {
      DataTypes.createStructField(INDEX, DataTypes.IntegerType, false),
      DataTypes.createStructField(LABEL, DataTypes.StringType, true),
      DataTypes.createStructField(PROBABILITY, DataTypes.FloatType, false)});

  public static final StructType TYPE = new StructType(new StructField[] {
      DataTypes.createStructField(LABEL, DataTypes.StringType, true),
      DataTypes.createStructField(INDEX, DataTypes.IntegerType, true),
      DataTypes.createStructField(PROBABILITY, DataTypes.FloatType, true),
      DataTypes.createStructField(TOP_K, DataTypes.createArrayType(TOP_K_ENTRY, false), true),
      DataTypes.createStructField(EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false), true),
      DataTypes.createStructField(ERROR_CODE, DataTypes.StringType, true),
      DataTypes.createStructField(ERROR_MESSAGE, DataTypes.StringType, true)});

  private PredictionSchema() {
  }

  /** The struct as a DDL string, for PySpark's {@code spark.udf.registerJavaFunction(name, class, returnType)}. */
  public static String ddl() {
    return TYPE.simpleString();
  }

  /** The struct type as a {@link DataType}, for {@code spark.udf().registerJava(name, class, type)}. */
  public static DataType dataType() {
    return TYPE;
  }

  /** One class and its probability. */
  public record Entry(int index, String label, float probability) {
  }

  /** The value of one row: a prediction, or an error. */
  public record Prediction(List<Entry> topK, float[] embedding, ErrorCode errorCode, String errorMessage) {
    public static Prediction failure(ErrorCode code, String message) {
      return new Prediction(List.of(), null, code, message);
    }

    public boolean ok() {
      return errorCode == null;
    }

    public Entry best() {
      return topK.get(0);
    }

    public Row toRow() {
      if (!ok()) {
        return RowFactory.create(null, null, null, null, null, errorCode.name(), errorMessage);
      }
      List<Row> entries = new ArrayList<>(topK.size());
      for (Entry e : topK) {
        entries.add(RowFactory.create(e.index(), e.label(), e.probability()));
      }
      Entry best = best();
      // Rows hold arrays as Scala sequences: that is what both the Dataset encoder and UDF results accept.
      return RowFactory.create(best.label(), best.index(), best.probability(),
          CollectionConverters.asScala(entries).toSeq(),
          embedding == null ? null : ArraySeq$.MODULE$.unsafeWrapArray(embedding.clone()), null, null);
    }

    /** Reads a row of {@link #TYPE} back, e.g. from collected results. */
    public static Prediction fromRow(Row row) {
      String code = row.getString(5);
      if (code != null) {
        return failure(ErrorCode.valueOf(code), row.getString(6));
      }
      List<Row> entries = row.getList(3);
      List<Entry> topK = new ArrayList<>(entries.size());
      for (Row e : entries) {
        topK.add(new Entry(e.getInt(0), e.getString(1), e.getFloat(2)));
      }
      float[] embedding = null;
      if (!row.isNullAt(4)) {
        List<Float> values = row.getList(4);
        embedding = new float[values.size()];
        for (int i = 0; i < embedding.length; i++) {
          embedding[i] = values.get(i);
        }
      }
      return new Prediction(topK, embedding, null, null);
    }
  }
}
