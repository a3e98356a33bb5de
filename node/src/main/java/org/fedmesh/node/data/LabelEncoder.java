package org.fedmesh.node.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps classification label strings to class indices in a fixed order, so that every member of a
 * consortium that holds the same label set gets the same indices whatever the order of its rows:
 * numeric labels sorted by value ("2" before "10"), otherwise labels sorted as strings.
 */
final class LabelEncoder {

  private final List<String> classNames;
  private final Map<String, Integer> indexOf;

  private LabelEncoder(List<String> classNames, Map<String, Integer> indexOf) {
    this.classNames = List.copyOf(classNames);
    this.indexOf = indexOf;
  }

  static LabelEncoder fit(Iterable<String> labels) {
    Map<String, Double> distinct = new LinkedHashMap<>();
    boolean allNumeric = true;
    for (String label : labels) {
      if (!distinct.containsKey(label)) {
        Double value = parseFiniteOrNull(label);
        allNumeric &= value != null;
        distinct.put(label, value);
      }
    }
    Map<String, Integer> indexOf = new HashMap<>();
    List<String> names = new ArrayList<>();
    if (allNumeric) {
      // "1" and "1.0" are one class; it keeps the spelling seen first.
      TreeMap<Double, List<String>> byValue = new TreeMap<>();
      distinct.forEach((label, value) -> byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(label));
      for (List<String> spellings : byValue.values()) {
        for (String spelling : spellings) {
          indexOf.put(spelling, names.size());
        }
        names.add(spellings.get(0));
      }
    } else {
      for (String label : new TreeMap<>(distinct).keySet()) {
        indexOf.put(label, names.size());
        names.add(label);
      }
    }
    return new LabelEncoder(names, indexOf);
  }

  List<String> classNames() {
    return classNames;
  }

  int indexOf(String label) {
    Integer index = indexOf.get(label);
    if (index == null) {
      throw new IllegalArgumentException("unknown label '" + label + "'");
    }
    return index;
  }

  private static Double parseFiniteOrNull(String s) {
    try {
      double d = Double.parseDouble(s);
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
