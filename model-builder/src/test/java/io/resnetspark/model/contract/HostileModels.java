package io.resnetspark.model.contract;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A SavedModel whose signatures follow the contract but whose graph reads a file: what a hostile writer to a shared
 * model lake could publish. Built with raw TF Java ops; only its graph file matters to the allow-list.
 */
final class HostileModels {
  private HostileModels() {
  }

  /** A model whose {@code probabilities} output also depends on reading {@code /etc/hostname}. */
  static Path readingAFile(Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> images = tf.withName(SavedModelContract.INPUT)
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Operand<TString> stolen = tf.withName("steal").io.readFile(tf.constant("/etc/hostname"));
      Operand<TFloat32> pooled = tf.math.mean(images, tf.constant(new int[] {1, 2}));
      Operand<TFloat32> probabilities = tf.withName(SavedModelContract.PROBABILITIES).nn.softmax(pooled);
      Signature classify = Signature.builder().key(SavedModelContract.CLASSIFY_SIGNATURE)
          .input(SavedModelContract.INPUT, images)
          .output(SavedModelContract.LOGITS, pooled)
          .output(SavedModelContract.PROBABILITIES, probabilities)
          .output("leak", stolen)
          .build();
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString()).withTags(SavedModelContract.TAG).withSession(session)
            .withSignatures(classify).export();
      }
    }
    return dir;
  }
}
