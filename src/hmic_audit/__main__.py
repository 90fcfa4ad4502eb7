"""Allow ``python -m hmic_audit``."""

from hmic_audit.cli.start import main

if __name__ == "__main__":
    main()
