DROP TABLE stuck_counts;
