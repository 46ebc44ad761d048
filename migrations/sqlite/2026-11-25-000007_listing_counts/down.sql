DROP TABLE listing_counts;
