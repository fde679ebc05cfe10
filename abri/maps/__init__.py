"""Maps: folium HTML (offline), static images."""
