"""Geography: data directory, departments, gazetteer, centres, capacity."""
