package io.resnetspark.model.cli;

import io.resnetspark.model.pretrained.TorchvisionWeights;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The value of {@code --weights}: a checkpoint file, or the name of weights torchvision publishes
 * ({@code IMAGENET1K_V1}, {@code IMAGENET1K_V2}, {@code DEFAULT}, in any case). A file that happens to carry such a
 * name is given with a directory, e.g. {@code ./DEFAULT}.
 */
public record WeightsArgument(Path file, String name) {
  private static final Pattern NAME = Pattern.compile("IMAGENET1K_V[0-9]+|" + TorchvisionWeights.DEFAULT);

  public static WeightsArgument parse(String value) {
    String upper = value.strip().toUpperCase(Locale.ROOT);
    if (NAME.matcher(upper).matches()) {
      return new WeightsArgument(null, upper);
    }
    return new WeightsArgument(Path.of(value), null);
  }

  public boolean isNamed() {
    return name != null;
  }

  @Override
  public String toString() {
    return isNamed() ? name : file.toString();
  }

  /** picocli's converter for {@code --weights}. */
  public static final class Converter implements CommandLine.ITypeConverter<WeightsArgument> {
    @Override
    public WeightsArgument convert(String value) {
      return parse(value);
    }
  }
}
