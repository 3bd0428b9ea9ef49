package io.resnetspark.bench;

import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.image.DecodeMode;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.image.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the model input of each image in both decode modes, {@code <name>.exact.f32} and
 * {@code <name>.reduced.f32} (224x224x3 little-endian float32, NHWC), for scripts/bench/reduced_agreement.py to
 * run through a torchvision ResNet.
 */
@Command(name = "DecodeModeTensors", mixinStandardHelpOptions = true)
public final class DecodeModeTensors implements Callable<Integer> {
  @Option(names = "--images", required = true)
  Path images;
  @Option(names = "--out", required = true)
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DecodeModeTensors()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PreprocessSpec spec = PreprocessSpec.Preset.IMAGENET1K_V1.spec();
    Files.createDirectories(out);
    List<Path> files;
    try (Stream<Path> s = Files.list(images)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (DecodeMode mode : DecodeMode.values()) {
      ImagePreprocessor p = new ImagePreprocessor(spec, ImageLimits.defaults(), mode);
      for (Path f : files) {
        FloatBuffer dest = FloatBuffer.allocate(p.outputSize());
        p.preprocess(Files.readAllBytes(f), dest);
        ByteBuffer bytes = ByteBuffer.allocate(4 * p.outputSize()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(dest.array());
        Files.write(out.resolve(f.getFileName() + "." + mode.id() + ".f32"), bytes.array());
      }
    }
    return 0;
  }
}
