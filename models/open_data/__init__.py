"""Open data in the City's official 0311 Locatel layout: importing published files as
historical requests, exporting every request (and the statistics) as files, with their data
dictionary. Pure domain: no web, no command line.

- :mod:`~models.open_data.layout`: the sixteen columns and the official vocabularies;
- :mod:`~models.open_data.names`: alcaldías and temas however they are spelt;
- :mod:`~models.open_data.rows`, :mod:`~models.open_data.importer`: reading and loading a file;
- :mod:`~models.open_data.export`: a request as an official row, nothing personal;
- :mod:`~models.open_data.dictionary`, :mod:`~models.open_data.files`: the files, atomically.
"""
