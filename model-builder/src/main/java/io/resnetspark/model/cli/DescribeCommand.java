package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.contract.SavedModelContract;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Prints an architecture's parameter count, multiply-accumulates and stage output shapes.")
final class DescribeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--arch", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}",
      completionCandidates = ArchitectureNames.class)
  Architecture arch;

  @Option(names = "--num-classes", defaultValue = "1000", paramLabel = "N", description = "Classes of the fc layer "
      + "(default ${DEFAULT-VALUE}).")
  int numClasses;

  @Option(names = "--size", defaultValue = "224", paramLabel = "PIXELS", description = "Square input size for MACs and "
      + "shapes (default ${DEFAULT-VALUE}).")
  int size;

  @Override
  public Integer call() {
    Validation.positive(spec, "--num-classes", numClasses);
    Validation.atLeast(spec, "--size", size, SavedModelContract.MIN_INPUT_SIZE);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("architecture     %s (%s blocks, depths %s, groups %d, width per group %d)%n", arch.id(),
        arch.block().name().toLowerCase(), Arrays.toString(arch.depths()), arch.groups(),
        arch.widthPerGroup());
    out.printf("parameters       %,d (%d classes)%n", arch.parameterCount(numClasses), numClasses);
    out.printf("%-16s %,d (%.2f G)%n", "MACs at " + size + "x" + size, arch.macs(size, size, numClasses),
        arch.macs(size, size, numClasses) / 1e9);
    List<int[]> shapes = arch.stageShapes(size, size);
    String[] names = {"stem", "layer1", "layer2", "layer3", "layer4"};
    for (int i = 0; i < shapes.size(); i++) {
      int[] s = shapes.get(i);
      out.printf("%-16s [N, %d, %d, %d]%n", names[i], s[0], s[1], s[2]);
    }
    out.printf("%-16s [N, %d]%n", "embeddings", arch.featureDim());
    out.printf("%-16s [N, %d]%n", "logits", numClasses);
    return 0;
  }
}
