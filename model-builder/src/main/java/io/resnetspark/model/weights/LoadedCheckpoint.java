package io.resnetspark.model.weights;

/**
 * A checkpoint read from disk and normalised to torchvision's key names.
 *
 * @param stateDict the tensors, float32, PyTorch layout, without {@code num_batches_tracked}
 * @param format {@link CheckpointLoader#SAFETENSORS} or {@link CheckpointLoader#PYTORCH_ZIP}
 * @param sha256 lower-case hex SHA-256 of the file's bytes, recorded in the SavedModel's metadata
 * @param fileName the file's name without its directory
 */
public record LoadedCheckpoint(StateDict stateDict, String format, String sha256, String fileName) {
}
