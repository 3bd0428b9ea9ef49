package io.resnetspark.model.cli;

import io.resnetspark.model.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --version} of every resnet-spark command line: {@code resnet-spark <command> <version>}, the version being
 * the build's ({@link BuildInfo}).
 */
public final class ResNetSparkVersion implements IVersionProvider {
  @CommandLine.Spec
  CommandSpec spec;

  @Override
  public String[] getVersion() {
    return new String[] {"resnet-spark " + spec.qualifiedName() + " " + BuildInfo.VERSION};
  }
}
