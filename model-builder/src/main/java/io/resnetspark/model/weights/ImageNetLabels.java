package io.resnetspark.model.weights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The 1000 ImageNet-1k class names in torchvision's order (index i is the name of logit i of every torchvision
 * ImageNet checkpoint), copied from {@code torchvision.models._meta._IMAGENET_CATEGORIES}. They are the default
 * labels of 1000-class models.
 */
public final class ImageNetLabels {

  public static final String RESOURCE = "/io/resnetspark/model/imagenet_classes.txt";
  public static final int COUNT = 1000;

  private ImageNetLabels() {
  }

  /** The names, one per class index; always {@value #COUNT} of them. */
  public static List<String> load() {
    try (InputStream in = ImageNetLabels.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      List<String> names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
          .collect(Collectors.toUnmodifiableList());
      if (names.size() != COUNT) {
        throw new IllegalStateException(RESOURCE + " has " + names.size() + " lines, not " + COUNT);
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
