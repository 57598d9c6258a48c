"""Exports: what leaves the group folder, masked, consent-aware and audited.

- :mod:`.bilan`: what the bilan annex says, assembled from the store;
- :mod:`.content`: format-independent blocks (paragraphs, tables, figures, quotes);
- :mod:`.docx_writer`: the annex as DOCX with Word styles and fields;
- :mod:`.convert`: DOCX to PDF or ODT through headless LibreOffice;
- :mod:`.html`: the bilan notebook executed for the group, as HTML without code;
- :mod:`.annex`: ``gacp bilan``, the whole job, ending with the audit;
- :mod:`.audit`: ``gacp audit``, real names searched in any file and its metadata.
"""
