"""Projects (issue 21): a cohort's hand-in with a rubric, a due date and a late policy;
learners submit files and links, instructors grade, return for revision or accept."""
