"""Roads: graph, coach profile, snapping, travel-time matrices, allocation, coach plan."""
