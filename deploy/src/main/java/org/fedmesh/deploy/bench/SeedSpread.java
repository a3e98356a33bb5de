package org.fedmesh.deploy.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Mean, sample standard deviation, min and max of one figure over seeds (nulls, e.g. a skipped baseline, left out). */
record SeedSpread(int n, double mean, double std, double min, double max) {

  static SeedSpread of(List<Double> values) {
    double[] v = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
    if (v.length == 0) {
      return new SeedSpread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= v.length;
    double squares = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      squares += (x - mean) * (x - mean);
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    // One seed has no spread to speak of: 0, not NaN, keeps the report plain JSON.
    double std = v.length > 1 ? Math.sqrt(squares / (v.length - 1)) : 0;
    return new SeedSpread(v.length, mean, std, min, max);
  }

  /** As the report writes it, counting seeds; null when no seed had the figure. */
  Map<String, Object> toJson() {
    return toJson("seeds");
  }

  /** As the report writes it, the count under {@code countKey} (e.g. rounds); null when there was no figure. */
  Map<String, Object> toJson(String countKey) {
    if (n == 0) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put(countKey, n);
    json.put("mean", mean);
    json.put("std", std);
    json.put("min", min);
    json.put("max", max);
    return json;
  }
}
