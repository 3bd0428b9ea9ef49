package io.resnetspark.model.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A torchvision-style state_dict: tensors by key, in the order the checkpoint lists them. */
public final class StateDict {
  private final Map<String, TensorData> tensors;

  public StateDict(Map<String, TensorData> tensors) {
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public TensorData get(String key) {
    TensorData t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("state_dict has no key '" + key + "'");
    }
    return t;
  }

  public boolean contains(String key) {
    return tensors.containsKey(key);
  }

  public Set<String> keys() {
    return tensors.keySet();
  }

  public Map<String, TensorData> asMap() {
    return tensors;
  }

  public int size() {
    return tensors.size();
  }
}
