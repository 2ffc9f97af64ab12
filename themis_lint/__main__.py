"""`python -m themis_lint`: the same as the `themis-lint` console script."""
from themis_lint.cli import main

if __name__ == "__main__":
    main()
