DROP TABLE search_titles;
DROP TABLE search_index;
DROP TABLE search_documents;
