"""abri: plan the relocation of people from a camp to reception centres.

Data flows one way: files -> GeoDataFrames -> road graph -> allocation ->
coach plan -> maps and reports. See README.md.
"""

__version__ = "0.1.0"
