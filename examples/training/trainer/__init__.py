"""A small training job in pure Python: data -> split -> train -> evaluate.

`python -m trainer --workdir runs/first --epochs 50` runs every stage; run it again and
training resumes from the last checkpoint in the work directory.
"""

__version__ = "0.1.0"
