package io.resnetspark.model.weights;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a state_dict against an architecture's table before any graph is built, and reports every problem at
 * once: a user fixing a checkpoint should not discover its faults one run at a time. When the tensors fit another
 * architecture or another class count exactly, the message says which flag to use.
 */
public final class StateDictValidator {

  /** How many keys of one kind a message lists before it only counts the rest. */
  static final int MAX_LISTED = 20;

  private static final Set<String> TOP_LEVEL_MODULES = Set.of("conv1", "bn1", "layer1", "layer2", "layer3", "layer4",
      "fc");

  private StateDictValidator() {
  }

  /** The class count of the checkpoint's head: the first dimension of {@code fc.weight} ([classes, features]). */
  public static int inferNumClasses(StateDict stateDict) throws CheckpointException {
    if (!stateDict.contains("fc.weight")) {
      throw new CheckpointException("the checkpoint has no 'fc.weight', so its class count is unknown; it is not a "
          + "torchvision ResNet state_dict (first keys: " + firstKeys(stateDict) + ")");
    }
    long[] shape = stateDict.get("fc.weight").shape();
    if (shape.length != 2 || shape[0] < 1 || shape[0] > Integer.MAX_VALUE) {
      throw new CheckpointException("the checkpoint's 'fc.weight' has shape " + Arrays.toString(shape)
          + "; a ResNet head is [classes, features]");
    }
    return (int) shape[0];
  }

  /**
   * Checks that the state_dict has exactly the tensors of {@code arch} with {@code numClasses} classes, with
   * PyTorch's shapes.
   *
   * @throws CheckpointException listing all missing keys, unexpected keys and shape mismatches (each list cut
   *     after {@value #MAX_LISTED} entries), with a hint when the checkpoint fits another architecture
   */
  public static void validate(Architecture arch, int numClasses, StateDict stateDict) throws CheckpointException {
    List<ParameterSpec> expected = arch.parameters(numClasses);
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    Set<String> expectedNames = new LinkedHashSet<>();
    for (ParameterSpec p : expected) {
      expectedNames.add(p.name());
      if (!stateDict.contains(p.name())) {
        missing.add(p.name());
      } else if (!stateDict.get(p.name()).hasShape(p.shape())) {
        mismatched.add(p.name() + ": checkpoint " + stateDict.get(p.name()).shapeString() + ", " + arch.id()
            + " expects " + p.shapeString());
      }
    }
    List<String> unexpected = stateDict.keys().stream().filter(k -> !expectedNames.contains(k))
        .collect(Collectors.toList());
    if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder()
        .append("the checkpoint does not fit ").append(arch.id()).append(" with ").append(numClasses)
        .append(" classes: ").append(missing.size()).append(" missing keys, ").append(unexpected.size())
        .append(" unexpected keys, ").append(mismatched.size()).append(" shape mismatches.");
    String hint = hint(arch, numClasses, stateDict);
    if (!hint.isEmpty()) {
      message.append(' ').append(hint);
    }
    appendList(message, "missing keys", missing);
    appendList(message, "unexpected keys", unexpected);
    appendList(message, "shape mismatches", mismatched);
    throw new CheckpointException(message.toString());
  }

  private static String hint(Architecture arch, int numClasses, StateDict stateDict) {
    int headClasses;
    try {
      headClasses = inferNumClasses(stateDict);
    } catch (CheckpointException e) {
      headClasses = numClasses;
    }
    for (Architecture other : Architecture.values()) {
      if (other != arch && fits(other, headClasses, stateDict)) {
        return "It looks like a " + other.id() + " checkpoint" + (headClasses != numClasses ? " with " + headClasses
            + " classes" : "") + ": use --arch " + other.id() + ".";
      }
    }
    if (headClasses != numClasses && fits(arch, headClasses, stateDict)) {
      return "Its head has " + headClasses + " classes: use --num-classes " + headClasses
          + " (or leave it out to take it from fc.weight).";
    }
    Set<String> firstSegments = stateDict.keys().stream().map(k -> k.split("\\.", 2)[0])
        .collect(Collectors.toSet());
    if (firstSegments.size() == 1 && !TOP_LEVEL_MODULES.contains(firstSegments.iterator().next())) {
      return "Every key starts with '" + firstSegments.iterator().next() + ".': re-save the inner model's "
          + "state_dict (only the 'module.' prefix of DataParallel is stripped automatically).";
    }
    return "";
  }

  /** True if the state_dict is exactly this architecture's table: same keys, same shapes. */
  static boolean fits(Architecture arch, int numClasses, StateDict stateDict) {
    List<ParameterSpec> params = arch.parameters(numClasses);
    if (params.size() != stateDict.size()) {
      return false;
    }
    for (ParameterSpec p : params) {
      if (!stateDict.contains(p.name()) || !stateDict.get(p.name()).hasShape(p.shape())) {
        return false;
      }
    }
    return true;
  }

  private static void appendList(StringBuilder message, String title, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    message.append("\n  ").append(title).append(" (").append(items.size()).append("):");
    items.stream().limit(MAX_LISTED).forEach(item -> message.append("\n    ").append(item));
    if (items.size() > MAX_LISTED) {
      message.append("\n    ... and ").append(items.size() - MAX_LISTED).append(" more");
    }
  }

  private static String firstKeys(StateDict stateDict) {
    List<String> keys = stateDict.keys().stream().limit(5).collect(Collectors.toList());
    return String.join(", ", keys) + (stateDict.size() > 5 ? ", ..." : "");
  }
}
