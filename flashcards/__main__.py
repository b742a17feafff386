from flashcards.cli.main import main

main()
