//! `pacte`: the command-line entry point.
//!
//! Each subcommand is a thin shell over `pacte-core`: read input, call the domain, print.
//! Exit codes of `pacte check`: 0 no blocking finding, 1 at least one, 2 unreadable file.

/// `println!` that ends the program quietly when the reader has gone (`pacte … | head`).
macro_rules! ecrire {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            $crate::sortie_fermee(e)
        }
    }};
}

/// `print!` with the same behaviour.
macro_rules! ecrire_sans_fin {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($t)*) {
            $crate::sortie_fermee(e)
        }
    }};
}

mod base;
mod campagne;
mod document;
mod rapport;
mod sortie;

/// Standard output cannot be written: a closed pipe ends the program normally, anything else
/// is an error.
fn sortie_fermee(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("Erreur : écriture sur la sortie standard impossible ({e}).");
    std::process::exit(1);
}

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pacte",
    version,
    about = "Pacte : pilotage des contrats locaux des solidarités (Pacte des solidarités 2024-2027).",
    help_template = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}",
    subcommand_help_heading = "Commandes",
    subcommand_value_name = "COMMANDE",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    after_help = "Aide d'une commande : pacte COMMANDE --aide"
)]
pub struct Cli {
    #[command(subcommand)]
    commande: Commande,

    /// Base de données : sqlite://chemin/pacte.db (par défaut sqlite://donnees/pacte.db) ou
    /// postgres://utilisateur@hôte:port/base.
    #[arg(long, env = "PACTE_BASE", default_value = pacte_store::BASE_PAR_DEFAUT, global = true, hide_default_value = true, hide_env_values = true)]
    base: String,

    /// Auteur des écritures, tel qu'il apparaît au journal d'audit (par défaut cli:<utilisateur>).
    #[arg(long, env = "PACTE_ACTEUR", global = true, hide_env_values = true)]
    acteur: Option<String>,

    /// Afficher l'aide.
    #[arg(short = 'h', long = "aide", action = ArgAction::Help, global = true)]
    aide: Option<bool>,

    /// Afficher la version.
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

/// Output format of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Texte lisible dans un terminal.
    Texte,
    /// JSON, pour les programmes.
    Json,
}

/// The `--format texte|json` option, shared by the listing commands.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ChoixFormat {
    /// Format de sortie : texte (par défaut) ou json.
    #[arg(
        long = "format",
        value_name = "FORMAT",
        value_enum,
        default_value = "texte",
        hide_possible_values = true,
        hide_default_value = true
    )]
    valeur: Format,
}

/// Output format of `pacte regles`, which also renders docs/REGLES.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatRegles {
    Texte,
    Json,
    /// Tableau Markdown (docs/REGLES.md).
    Markdown,
}

/// The annexe 10 table of `pacte tableau`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableAnnexe10 {
    Previsionnel,
    Bilan,
    Recapitulatif,
}

/// Output format of `pacte tableau`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatTableau {
    Texte,
    Json,
    Xlsx,
    Ods,
    Csv,
}

/// Format of `pacte document`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatDocument {
    Pdf,
    Odt,
}

#[derive(Debug, Subcommand)]
enum Commande {
    /// Vérifie un fichier de contrat et affiche les constats.
    ///
    /// Code de sortie : 0 si aucun constat bloquant, 1 si au moins un, 2 si le fichier est illisible.
    Check {
        /// Fichier de contrat (TOML, voir docs/FORMAT-CONTRAT.md).
        fichier: PathBuf,
        #[command(flatten)]
        format: ChoixFormat,
    },
    /// Liste les règles vérifiées, avec leur code, leur gravité et leur source.
    Regles {
        /// Format de sortie : texte (par défaut), json ou markdown.
        #[arg(
            long,
            value_enum,
            default_value = "texte",
            hide_possible_values = true,
            hide_default_value = true
        )]
        format: FormatRegles,
    },
    /// Affiche le référentiel national : axes, sous-axes, types d'action, indicateurs nationaux.
    Referentiel {
        #[command(flatten)]
        format: ChoixFormat,
    },
    /// Affiche les territoires : régions, départements et collectivités éligibles.
    Territoires {
        #[command(flatten)]
        format: ChoixFormat,
    },
    /// Calcule un tableau financier de l'annexe 10 (prévisionnel, bilan ou prévisionnel
    /// récapitulatif) d'une année, depuis un contrat et, le cas échéant, son exécution.
    Tableau {
        /// Fichier de contrat (TOML).
        fichier: PathBuf,
        /// Année du tableau, de 2024 (par défaut) à 2027 ; le récapitulatif existe de 2025 à 2027.
        #[arg(long, default_value_t = 2024, hide_default_value = true)]
        annee: i64,
        /// Tableau : previsionnel (par défaut), bilan ou recapitulatif.
        #[arg(
            long,
            value_enum,
            default_value = "previsionnel",
            hide_possible_values = true,
            hide_default_value = true
        )]
        table: TableAnnexe10,
        /// Fichier d'exécution (TOML : notifications, avenants, versements, réalisations, reports, réductions).
        #[arg(long, value_name = "FICHIER")]
        execution: Option<PathBuf>,
        /// Format : texte (par défaut), json (montants en centimes), xlsx, ods ou csv.
        #[arg(
            long,
            value_enum,
            default_value = "texte",
            hide_possible_values = true,
            hide_default_value = true
        )]
        format: FormatTableau,
        /// Fichier à écrire (sinon la sortie standard).
        #[arg(long, value_name = "FICHIER")]
        sortie: Option<PathBuf>,
    },
    /// Affiche le schéma JSON du fichier de contrat (docs/contrat.schema.json).
    Schema,
    /// Importe des fichiers de contrat dans la base, en une seule transaction : tous ou aucun.
    /// Un seul contrat par collectivité : le fichier d'une collectivité qui a déjà un contrat
    /// est refusé, sauf avec --remplacer.
    Import {
        /// Fichiers de contrat (TOML).
        #[arg(required = true)]
        fichiers: Vec<PathBuf>,
        /// Met à jour comme nouvelle version le contrat qu'une collectivité a déjà (au brouillon
        /// ou en négociation seulement ; son état est conservé), au lieu de refuser le fichier.
        #[arg(long)]
        remplacer: bool,
    },
    /// Écrit un contrat de la base au format fichier (TOML).
    Export {
        /// Numéro du contrat, ou code de sa collectivité (SIREN, code de département).
        contrat: String,
        /// Fichier à écrire (par défaut : la sortie standard).
        #[arg(long)]
        sortie: Option<PathBuf>,
    },
    /// Produit le contrat (modèle de l'annexe 8 et ses quatre annexes) ou l'avenant d'une
    /// année, en PDF ou en ODT, depuis les données de la base.
    Document {
        /// Numéro du contrat, ou code de sa collectivité (SIREN, code de département).
        contrat: String,
        /// Format : pdf (accessible, balisé) ou odt (modifiable).
        #[arg(long, value_enum)]
        format: FormatDocument,
        /// L'avenant de cette année (2024 à 2027) au lieu du contrat.
        #[arg(long, value_name = "ANNEE")]
        avenant: Option<i64>,
        /// Fichier à écrire (« - » : la sortie standard ; par défaut : le nom du document dans le répertoire courant).
        #[arg(short = 'o', long = "sortie", value_name = "FICHIER")]
        sortie: Option<PathBuf>,
    },
    /// Produit un rapport de campagne en PDF ou en ODT : le rapport d'état d'avancement d'un
    /// contrat pour une année (CONTRAT --annee), son rapport d'exécution à mi-parcours (CONTRAT
    /// --mi-parcours), ou la note de synthèse régionale d'une année (--synthese REGION --annee).
    Rapport {
        /// Numéro du contrat, ou code de sa collectivité (SIREN, code de département).
        #[arg(required_unless_present = "synthese")]
        contrat: Option<String>,
        /// Format : pdf (accessible, balisé) ou odt (modifiable).
        #[arg(long, value_enum, default_value = "pdf")]
        format: FormatDocument,
        /// L'année du rapport d'état d'avancement ou de la note de synthèse (2024 à 2027).
        #[arg(
            long,
            value_name = "ANNEE",
            required_unless_present = "mi_parcours",
            conflicts_with = "mi_parcours"
        )]
        annee: Option<i64>,
        /// Le rapport d'exécution à mi-parcours (2024-2025).
        #[arg(long)]
        mi_parcours: bool,
        /// La note de synthèse régionale de la ou du commissaire (R-REP-06) de cette région :
        /// code INSEE (« 93 », voir pacte territoires) ou nom (« Provence-Alpes-Côte d'Azur »).
        #[arg(long, value_name = "REGION", conflicts_with_all = ["contrat", "mi_parcours"])]
        synthese: Option<String>,
        /// Fichier à écrire (« - » : la sortie standard ; par défaut : le nom du rapport dans le répertoire courant).
        #[arg(short = 'o', long = "sortie", value_name = "FICHIER")]
        sortie: Option<PathBuf>,
    },
    /// Liste les contrats de la base.
    Contrats {
        #[command(flatten)]
        format: ChoixFormat,
    },
    /// Démarre l'application web sur la base (--base).
    #[command(
        after_help = "Connexion des agents publics par ProConnect : définir les variables \
PACTE_PROCONNECT_URL_DECOUVERTE, PACTE_PROCONNECT_CLIENT_ID, PACTE_PROCONNECT_CLIENT_SECRET et \
PACTE_PROCONNECT_URL_RETOUR (https://VOTRE-HÔTE/connexion/proconnect/retour) ; facultatives : \
PACTE_PROCONNECT_PORTEES, PACTE_PROCONNECT_ACR, PACTE_PROCONNECT_URL_APRES_DECONNEXION. \
Voir le README, section « ProConnect »."
    )]
    Serve {
        /// Adresse d'écoute.
        #[arg(long, default_value = "127.0.0.1:8080")]
        adresse: std::net::SocketAddr,
        /// Pour les tests de charge : fichier servi tel quel à /banc/reference.html.
        #[arg(long, hide = true)]
        page_reference: Option<PathBuf>,
        /// L'application est servie en HTTPS (derrière un mandataire TLS) : active HSTS.
        #[arg(long, env = "PACTE_HTTPS")]
        https: bool,
        /// L'application est derrière un mandataire inverse qui ajoute l'adresse du client à
        /// X-Forwarded-For : la limitation des connexions compte par cette adresse.
        #[arg(long, env = "PACTE_MANDATAIRE")]
        mandataire: bool,
        /// Journal des requêtes en lignes JSON (sinon en texte) ; aussi PACTE_JOURNAL=json.
        /// Le niveau se règle par RUST_LOG (par défaut : info).
        #[arg(long = "journal-json")]
        journal_json: bool,
    },
    /// Démarre l'application web sur une base neuve chargée de données de démonstration.
    Demo {
        /// Adresse d'écoute.
        #[arg(long, default_value = "127.0.0.1:8080")]
        adresse: std::net::SocketAddr,
        /// Journal des requêtes en lignes JSON (sinon en texte) ; aussi PACTE_JOURNAL=json.
        /// Le niveau se règle par RUST_LOG (par défaut : info).
        #[arg(long = "journal-json")]
        journal_json: bool,
    },
    /// Journal d'audit : vérification de la chaîne, consultation.
    #[command(
        subcommand,
        help_template = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}"
    )]
    Audit(CommandeAudit),
    /// Comptes des utilisateurs : création (dont le premier administrateur national), liste, modification, désactivation.
    #[command(
        subcommand,
        help_template = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}"
    )]
    Utilisateur(CommandeUtilisateur),
    /// Campagnes d'indicateurs : rappels par courriel.
    #[command(
        subcommand,
        help_template = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}"
    )]
    Campagne(CommandeCampagne),
    /// Écrit une sauvegarde cohérente de la base (possible pendant que l'application tourne).
    Sauvegarde {
        /// Fichier de sauvegarde à écrire.
        fichier: PathBuf,
    },
    /// Restaure une sauvegarde dans une base neuve.
    Restauration {
        /// Fichier de sauvegarde.
        fichier: PathBuf,
    },
    /// Copie la base dans une autre (par exemple de SQLite vers PostgreSQL) et vérifie la copie.
    Migrer {
        /// Base cible, neuve : postgres://utilisateur@hôte:port/base.
        #[arg(long)]
        vers: String,
    },
}

#[derive(Debug, Subcommand)]
enum CommandeUtilisateur {
    /// Crée un compte. Sur une base sans administrateur, créez d'abord un administrateur national.
    ///
    /// Le mot de passe (12 caractères au moins) est lu sur l'entrée standard, ou dans un fichier
    /// (--mot-de-passe-fichier), ou généré et affiché une fois (--generer).
    Creer {
        /// Adresse électronique (identifiant de connexion).
        #[arg(long)]
        email: String,
        /// Nom affiché.
        #[arg(long)]
        nom: String,
        /// Rôle : administrateur_national, lecteur_national, commissaire, ddets,
        /// collectivite_editeur, collectivite_lecteur, partenaire ou aucun.
        #[arg(long)]
        role: String,
        /// Périmètre : national, region:93, departement:13, collectivite:200054807,
        /// organisation:NOM ou aucun.
        #[arg(long)]
        perimetre: String,
        /// Fichier dont la première ligne est le mot de passe.
        #[arg(long, conflicts_with = "generer")]
        mot_de_passe_fichier: Option<PathBuf>,
        /// Générer un mot de passe aléatoire, affiché une seule fois.
        #[arg(long)]
        generer: bool,
    },
    /// Liste les comptes, désactivés compris.
    Lister {
        #[command(flatten)]
        format: ChoixFormat,
    },
    /// Modifie un compte : rôle, périmètre, nom, réactivation.
    ///
    /// Attribue par exemple un rôle à un compte créé à la première connexion ProConnect. Le dernier
    /// administrateur national actif ne peut pas changer de rôle.
    Modifier {
        /// Adresse électronique du compte.
        #[arg(value_name = "EMAIL")]
        email: String,
        /// Nouveau rôle : administrateur_national, lecteur_national, commissaire, ddets,
        /// collectivite_editeur, collectivite_lecteur, partenaire ou aucun.
        #[arg(long)]
        role: Option<String>,
        /// Nouveau périmètre : national, region:93, departement:13, collectivite:200054807,
        /// organisation:NOM ou aucun. Implicite pour les rôles nationaux et « aucun ».
        #[arg(long)]
        perimetre: Option<String>,
        /// Nouveau nom affiché.
        #[arg(long)]
        nom: Option<String>,
        /// Réactiver un compte désactivé.
        #[arg(long)]
        activer: bool,
    },
    /// Désactive un compte : il ne peut plus se connecter, ses sessions et jetons sont supprimés.
    Desactiver {
        /// Adresse électronique du compte.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum CommandeCampagne {
    /// Envoie par courriel les rappels de campagne du jour, à lancer chaque jour (cron).
    ///
    /// Aux éditeurs de la collectivité d'un contrat dont les indicateurs ne sont pas soumis :
    /// avant l'échéance (--jours-avant), après elle (--jours-apres), et quand ils sont renvoyés
    /// pour correction ; à la DDETS et au ou à la commissaire du territoire quand ils sont
    /// soumis et attendent leur instruction. Un même rappel n'est jamais envoyé deux fois (les
    /// rappels envoyés sont enregistrés dans la base et au journal d'audit). Sans serveur SMTP
    /// configuré (PACTE_SMTP_*), rien n'est envoyé. Liens complets : PACTE_URL_PUBLIQUE.
    Rappels {
        /// Seulement la campagne de cette année (2024 à 2027) ; par défaut toutes les campagnes ouvertes.
        #[arg(long, value_name = "ANNEE")]
        annee: Option<i64>,
        /// Affiche qui recevrait quoi, sans rien envoyer ni enregistrer.
        #[arg(long)]
        simulation: bool,
        /// Jours avant l'échéance où rappeler, séparés par des virgules (par défaut 15,3).
        #[arg(long, value_name = "JOURS", default_value = "15,3", hide_default_value = true)]
        jours_avant: String,
        /// Jours de retard après l'échéance où rappeler, séparés par des virgules (par défaut 1,15).
        #[arg(long, value_name = "JOURS", default_value = "1,15", hide_default_value = true)]
        jours_apres: String,
        /// Jour de calcul des rappels (AAAA-MM-JJ), pour les essais ; par défaut aujourd'hui (heure de Paris).
        #[arg(long, value_name = "DATE", hide = true)]
        le: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CommandeAudit {
    /// Vérifie la chaîne du journal, ses signatures et la conformité des données au journal (code 1 si rupture).
    ///
    /// La clé du journal est lue dans le fichier nommé par PACTE_CLE_AUDIT, sinon à côté d'une base
    /// SQLite (pacte.db.cle-audit). Sans elle, seule la continuité de la chaîne est vérifiée.
    Verifier {
        /// Ancre gardée hors de la base (ligne affichée par « pacte audit ancre », ou champ
        /// « ancre » d'une sauvegarde) : signale l'effacement des opérations postérieures.
        #[arg(long, value_name = "LIGNE")]
        ancre: Option<String>,
    },
    /// Affiche l'ancre du journal : sa dernière entrée et son empreinte, signées par la clé.
    ///
    /// À conserver hors de la base (par exemple chaque nuit, dans un autre système) et à
    /// redonner à « pacte audit verifier --ancre ».
    Ancre,
    /// Affiche les entrées du journal.
    Journal {
        /// Première entrée affichée.
        #[arg(long, default_value_t = 1, hide_default_value = true)]
        depuis: i64,
        /// Nombre d'entrées au plus (100 par défaut).
        #[arg(long, default_value_t = 100, hide_default_value = true)]
        limite: i64,
        #[command(flatten)]
        format: ChoixFormat,
    },
}

/// The server's log: one line per request (and the warnings and errors of the server) on
/// stderr, filtered by `RUST_LOG` (`info` by default, e.g. `RUST_LOG=warn` or
/// `RUST_LOG=info,pacte_web=debug`), as text or, with `--journal-json` or `PACTE_JOURNAL=json`,
/// as JSON lines.
fn initialiser_journal(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filtre = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = json || std::env::var("PACTE_JOURNAL").is_ok_and(|v| v.trim() == "json");
    let journal = tracing_subscriber::fmt()
        .with_env_filter(filtre)
        .with_writer(std::io::stderr);
    if json {
        journal.json().init();
    } else {
        journal.init();
    }
}

fn main() -> ExitCode {
    let cli = match commande()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return sortie::erreur_clap(e),
    };
    let url = cli.base.as_str();
    let acteur = cli.acteur.clone().unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "inconnu".into())
        )
    });
    match cli.commande {
        Commande::Check { fichier, format } => sortie::check(&fichier, format.valeur),
        Commande::Regles { format } => sortie::liste_regles(format),
        Commande::Referentiel { format } => sortie::liste_referentiel(format.valeur),
        Commande::Territoires { format } => sortie::liste_territoires(format.valeur),
        Commande::Tableau {
            fichier,
            annee,
            table,
            execution,
            format,
            sortie: fichier_sortie,
        } => sortie::tableau(
            &fichier,
            annee,
            table,
            execution.as_deref(),
            format,
            fichier_sortie.as_deref(),
        ),
        Commande::Schema => {
            ecrire!(
                "{}",
                serde_json::to_string_pretty(&pacte_core::fichier::schema_json()).expect("JSON")
            );
            ExitCode::SUCCESS
        }
        Commande::Import { fichiers, remplacer } => {
            executer(base::importer(url, &fichiers, remplacer, &acteur))
        }
        Commande::Export { contrat, sortie } => executer(base::exporter(url, &contrat, sortie.as_deref())),
        Commande::Document {
            contrat,
            format,
            avenant,
            sortie,
        } => executer(document::document(
            url,
            &contrat,
            match format {
                FormatDocument::Pdf => pacte_documents::Format::Pdf,
                FormatDocument::Odt => pacte_documents::Format::Odt,
            },
            avenant,
            sortie.as_deref(),
        )),
        Commande::Rapport {
            contrat,
            format,
            annee,
            mi_parcours,
            synthese,
            sortie,
        } => executer(rapport::rapport(
            url,
            match (synthese, contrat, mi_parcours, annee) {
                (Some(r), _, _, Some(a)) => rapport::Quoi::Synthese(r, a),
                (_, Some(c), false, Some(a)) => rapport::Quoi::Annuel(c, a),
                (_, Some(c), _, _) => rapport::Quoi::MiParcours(c),
                // clap requires a contract or a region, and a year unless --mi-parcours.
                _ => unreachable!("arguments de pacte rapport contrôlés par clap"),
            },
            match format {
                FormatDocument::Pdf => pacte_documents::Format::Pdf,
                FormatDocument::Odt => pacte_documents::Format::Odt,
            },
            sortie.as_deref(),
        )),
        Commande::Contrats { format } => executer(base::lister(url, format.valeur)),
        Commande::Audit(CommandeAudit::Verifier { ancre }) => {
            executer(base::verifier_audit(url, ancre.as_deref()))
        }
        Commande::Audit(CommandeAudit::Ancre) => executer(base::ancre(url)),
        Commande::Audit(CommandeAudit::Journal {
            depuis,
            limite,
            format,
        }) => executer(base::journal(url, depuis, limite, format.valeur)),
        Commande::Campagne(CommandeCampagne::Rappels {
            annee,
            simulation,
            jours_avant,
            jours_apres,
            le,
        }) => executer(campagne::rappels(
            url,
            campagne::Options {
                annee,
                simulation,
                jours_avant,
                jours_apres,
                le,
            },
            &acteur,
        )),
        Commande::Sauvegarde { fichier } => executer(base::sauvegarder(url, &fichier)),
        Commande::Restauration { fichier } => executer(base::restaurer(url, &fichier)),
        Commande::Migrer { vers } => executer(base::migrer_vers(url, &vers)),
        Commande::Serve {
            adresse,
            page_reference,
            https,
            mandataire,
            journal_json,
        } => {
            initialiser_journal(journal_json);
            executer(base::servir(url, adresse, page_reference, https, mandataire))
        }
        Commande::Demo {
            adresse,
            journal_json,
        } => {
            initialiser_journal(journal_json);
            executer(base::demo(adresse))
        }
        Commande::Utilisateur(CommandeUtilisateur::Creer {
            email,
            nom,
            role,
            perimetre,
            mot_de_passe_fichier,
            generer,
        }) => {
            let source = match (mot_de_passe_fichier, generer) {
                (Some(f), _) => base::SourceMotDePasse::Fichier(f),
                (None, true) => base::SourceMotDePasse::Genere,
                (None, false) => base::SourceMotDePasse::Entree,
            };
            executer(base::creer_utilisateur(
                url, &email, &nom, &role, &perimetre, source, &acteur,
            ))
        }
        Commande::Utilisateur(CommandeUtilisateur::Lister { format }) => {
            executer(base::lister_utilisateurs(url, format.valeur))
        }
        Commande::Utilisateur(CommandeUtilisateur::Modifier {
            email,
            role,
            perimetre,
            nom,
            activer,
        }) => executer(base::modifier_utilisateur(
            url,
            &email,
            base::Changements {
                role,
                perimetre,
                nom,
                activer,
            },
            &acteur,
        )),
        Commande::Utilisateur(CommandeUtilisateur::Desactiver { email }) => {
            executer(base::desactiver_utilisateur(url, &email, &acteur))
        }
    }
}

/// Runs an async subcommand on a fresh runtime.
fn executer(f: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

/// The clap tree, for tests.
pub fn commande() -> clap::Command {
    en_francais(Cli::command())
}

/// The French help layout ("Utilisation :") on every subcommand, at every depth.
fn en_francais(c: clap::Command) -> clap::Command {
    c.mut_subcommands(|sc| {
        en_francais(sc.help_template("{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}"))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn arbre_clap_valide() {
        super::commande().debug_assert();
    }
}
