"""The one thing pyproject.toml cannot say: the optional C extension `pipeline._speedups`.

It is optional: where no C compiler is found, the install goes on without it and
`pipeline.html.tokenize` runs its Python code alone (the same tokens, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pipeline._speedups",
            ["pipeline/_speedups.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
