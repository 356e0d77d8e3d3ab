"""Reports for managers, trainers and admins: ability x willingness, the team's skills heatmap,
progress by week since start, cohorts, exports and the trainer's analytics."""
